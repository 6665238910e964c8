"""What an exercise is made of: named checks, each worth points, each a plain function.

A check receives the student's objects by parameter name (``def says_hello(greeting_app)``
gets the notebook's ``greeting_app``) and fails by raising ``Fail("what went wrong, and
what to look at")``; a plain ``assert cond, "message"`` works too. Anything else the
student's code raises is reported as such. Checks may be ``async def``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Status = Literal["passed", "failed", "error", "timeout", "crashed", "not-run"]
STATUSES: tuple[Status, ...] = get_args(Status)
CheckFunction = Callable[..., Any]


class Fail(AssertionError):
    """A check's verdict: the student's answer is wrong, and the message says how."""


def expect(condition: object, message: str) -> None:
    """Fail with ``message`` unless ``condition`` holds (an ``assert`` that survives ``-O``)."""
    if not condition:
        raise Fail(message)


@dataclass(frozen=True)
class Check:
    """One thing an answer must do, worth ``points``."""

    exercise: str
    title: str
    function: CheckFunction
    points: int = 1
    on_timeout: str = ""

    @property
    def name(self) -> str:
        return self.function.__name__

    @property
    def needs(self) -> list[str]:
        """The notebook names this check reads: its parameters."""
        return list(inspect.signature(self.function).parameters)

    def result(self, status: Status, message: str = "", seconds: float = 0.0) -> Result:
        """This check's row: its points only if it passed."""
        points = self.points if status == "passed" else 0
        return Result(
            self.exercise, self.name, self.title, points, self.points, status, message, seconds
        )


@dataclass
class Exercise:
    """A named exercise of one lesson: ``check("greeting-app")`` runs its checks in order."""

    name: str
    lesson: str
    checks: list[Check] = field(default_factory=list)

    def check(
        self, title: str, *, points: int = 1, on_timeout: str = ""
    ) -> Callable[[CheckFunction], CheckFunction]:
        """Decorator: register a function as this exercise's next check."""

        def register(function: CheckFunction) -> CheckFunction:
            self.checks.append(Check(self.name, title, function, points, on_timeout))
            return function

        return register

    @property
    def max_points(self) -> int:
        return sum(c.points for c in self.checks)

    def __iter__(self) -> Iterator[Check]:
        return iter(self.checks)


@dataclass(frozen=True)
class Result:
    """How one check went."""

    exercise: str
    check: str
    title: str
    points: int
    max_points: int
    status: Status
    message: str = ""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def as_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "check": self.check,
            "title": self.title,
            "points": self.points,
            "max_points": self.max_points,
            "status": self.status,
            "message": self.message,
            "seconds": round(self.seconds, 4),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        return cls(**data)
