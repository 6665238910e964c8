"""Grading: ``check("name")`` in a notebook cell, ``python -m course grade`` for a class.

The checks themselves are plain Python in ``course/checks/``: read them to see exactly
what each exercise is graded on.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Mapping
from typing import Any

from course.grading.model import Check, Exercise, Fail, Result, expect
from course.grading.report import Report, Score
from course.grading.runner import DEFAULT_TIMEOUT, run_exercise


def find_exercise(name: str) -> Exercise:
    """The exercise called ``name``, or a ValueError that suggests the closest names."""
    from course.checks import EXERCISES

    if name in EXERCISES:
        return EXERCISES[name]
    close = difflib.get_close_matches(name, EXERCISES, n=3)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    raise ValueError(f"There is no exercise called {name!r}.{hint}")


def grade(name: str, namespace: Mapping[str, Any], *, timeout: float = DEFAULT_TIMEOUT) -> Report:
    """Run exercise ``name``'s checks against ``namespace``; nothing is displayed."""
    return Report(name, run_exercise(find_exercise(name), namespace, timeout=timeout))


def check(
    name: str, *, timeout: float = DEFAULT_TIMEOUT, namespace: Mapping[str, Any] | None = None
) -> Score:
    """Grade exercise ``name`` on this notebook's objects; show ✓/✗ per check; return the score.

    Each check runs in its own thread under ``timeout`` seconds (see runner.py for why),
    so an answer that hangs or blocks costs at most that long and never the kernel.
    """
    if namespace is None:
        namespace = sys._getframe(1).f_globals  # the notebook's globals, where the answer lives
    report = grade(name, namespace, timeout=timeout)
    _show(report)
    return report.score


def _show(report: Report) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with the course
        print(report)
        return
    if get_ipython() is None:
        print(report)
    else:
        display(report)  # type: ignore[no-untyped-call]


__all__ = [
    "Check",
    "Exercise",
    "Fail",
    "Report",
    "Result",
    "Score",
    "check",
    "expect",
    "find_exercise",
    "grade",
]
