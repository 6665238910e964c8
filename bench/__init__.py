"""Measurements of the course: `make bench` and `make soak` run the modules here."""
