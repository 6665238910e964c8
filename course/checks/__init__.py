"""Every exercise's checks, one module per lesson, named like its notebook.

``check("name")`` grades one exercise in a notebook cell; ``EXERCISES`` holds them all.
``hint("name")`` shows an exercise's next hint (hints.toml); ``hints_used()`` counts them.
"""

from course.checks.hints import hint, hints_used
from course.checks.registry import EXERCISES, check, find_exercise, for_lesson, grade

__all__ = ["EXERCISES", "check", "find_exercise", "for_lesson", "grade", "hint", "hints_used"]
