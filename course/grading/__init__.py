"""``python -m course grade``: a class's submissions, each in a fresh sandboxed kernel.

``grade_submission`` runs one notebook (timeouts, memory and output caps, the checks
reloaded from a trusted copy) and gives its rows; ``main`` is the command line.
"""

from course.grading.gradebook import main
from course.grading.submission import Graded, Options, grade_submission

__all__ = ["Graded", "Options", "grade_submission", "main"]
