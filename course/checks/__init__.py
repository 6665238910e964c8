"""Every exercise's checks, one module per lesson, named like its notebook.

``check("name")`` grades one exercise in a notebook cell; ``EXERCISES`` holds them all.
"""

from course.checks.registry import EXERCISES, check, find_exercise, for_lesson, grade

__all__ = ["EXERCISES", "check", "find_exercise", "for_lesson", "grade"]
