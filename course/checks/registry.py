"""The exercises by name, and ``check("name")``, which grades one in a notebook cell.

Every exercise's checks are plain Python, one module per lesson, named like its notebook
(``course/checks/asgi_in_one_function.py`` grades ``01-asgi-in-one-function``): read them to
see exactly what each exercise is graded on. ``python -m course grade`` grades a class
(course/grading/).
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Mapping
from typing import Any

from course.checking import board
from course.checking.model import Exercise
from course.checking.report import Report, Score
from course.checking.runner import DEFAULT_TIMEOUT, run_exercise
from course.checks import (
    asgi_in_one_function,
    beyond_http_a_custom_protocol,
    channel_layers_and_groups,
    consumers_and_their_lifecycle,
    databases_sessions_and_auth,
    deploying_and_securing,
    http_scope_and_events,
    routing_and_middleware,
    routing_and_middleware_seed_stack,
    scaling_out_with_redis,
    testing_consumers,
    websocket_scope_and_events,
    workers_and_background_tasks,
)
from course.checks.hints import hints_used

# In lesson order.
MODULES = (
    asgi_in_one_function,
    http_scope_and_events,
    websocket_scope_and_events,
    consumers_and_their_lifecycle,
    routing_and_middleware,
    routing_and_middleware_seed_stack,
    channel_layers_and_groups,
    databases_sessions_and_auth,
    scaling_out_with_redis,
    workers_and_background_tasks,
    beyond_http_a_custom_protocol,
    testing_consumers,
    deploying_and_securing,
)
EXERCISES: dict[str, Exercise] = {
    exercise.name: exercise for module in MODULES for exercise in module.EXERCISES
}


def for_lesson(lesson: str) -> list[Exercise]:
    """The exercises of one lesson (its notebook's stem), in the order they are defined."""
    return [exercise for exercise in EXERCISES.values() if exercise.lesson == lesson]


def find_exercise(name: str) -> Exercise:
    """The exercise called ``name``, or a ValueError that suggests the closest names."""
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
    score = report.score  # to the class board on a workshop hub; elsewhere nothing is sent
    board.report(name, score.points, score.max_points, hints_used().get(name, 0))
    return score


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


__all__ = ["EXERCISES", "MODULES", "check", "find_exercise", "for_lesson", "grade"]
