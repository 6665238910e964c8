"""The course toolkit: what the notebooks import."""
