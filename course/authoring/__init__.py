"""Maintainers' generators and notebook tools; no student's kernel imports them.

``python -m course generate [--check]`` runs every generator (course/authoring/generate.py):
lesson navigation (nav.py), exercises/ from solutions/ (release.py), the workshop guide
(guide.py), docs/pain-points.md (painpoints.py). nbclean.py strips outputs, nbrun.py runs a
notebook top to bottom in a fresh kernel (the bench and the tests use it).
"""

from course.authoring.generate import GENERATORS
from course.authoring.generate import main as generate

__all__ = ["GENERATORS", "generate"]
