"""The check engine: what runs in a student's kernel. It knows no lesson.

An ``Exercise`` holds ``Check``s; ``run_exercise`` runs each in its own thread under a
timeout and gives ``Result``s; a ``Report`` shows them as ✓/✗ cards with a ``Score``.
"""

from course.checking.model import Check, Exercise, Fail, Result, Status, expect
from course.checking.report import Report, Score
from course.checking.runner import DEFAULT_TIMEOUT, run_exercise

__all__ = [
    "DEFAULT_TIMEOUT",
    "Check",
    "Exercise",
    "Fail",
    "Report",
    "Result",
    "Score",
    "Status",
    "expect",
    "run_exercise",
]
