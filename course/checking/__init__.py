"""The check engine: what runs in a student's kernel. It knows no lesson.

An ``Exercise`` holds ``Check``s; ``run_exercise`` runs each in its own thread under a
timeout and gives ``Result``s; a ``Report`` shows them as ✓/✗ cards with a ``Score``.
A released ``Stub`` says what to write and where the hints are; an error it caused is
"not written yet" (stubs.py).
"""

from course.checking.model import Check, Exercise, Fail, Result, Status, expect
from course.checking.report import Report, Score
from course.checking.runner import DEFAULT_TIMEOUT, run_exercise
from course.checking.stubs import Stub, not_written_yet, unwritten

__all__ = [
    "DEFAULT_TIMEOUT",
    "Check",
    "Exercise",
    "Fail",
    "Report",
    "Result",
    "Score",
    "Status",
    "Stub",
    "expect",
    "not_written_yet",
    "run_exercise",
    "unwritten",
]
