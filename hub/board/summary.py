"""From attempts to the board's cells: one per student and exercise, and who is stuck.

A student is *stuck* on an exercise they have not passed yet after ``STUCK_TRIES`` checks, or
``STUCK_HINTS`` hints, or ``STUCK_MINUTES`` minutes since their first check of it.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

HINTS = Path(__file__).resolve().parents[2] / "course" / "checks" / "hints.toml"
STUCK_TRIES = 3
STUCK_HINTS = 2
STUCK_MINUTES = 10


def exercises() -> list[str]:
    """Every exercise of the course, in course order (hints.toml lists them all)."""
    with HINTS.open("rb") as file:
        return list(tomllib.load(file))


@dataclass(frozen=True)
class Cell:
    student: str
    exercise: str
    tries: int
    best: int
    last: int
    max_points: int
    hints: int
    first_at: str
    last_at: str
    passed: bool
    stuck: bool


def cell(attempts: list[Any], now: datetime) -> Cell:
    """The cell of one student's attempts at one exercise (oldest first, at least one)."""
    first, last = attempts[0], attempts[-1]
    best = max(a.points for a in attempts)
    passed = any(a.points == a.max_points for a in attempts)
    hints = max(a.hints for a in attempts)
    minutes = (now - first.at).total_seconds() / 60
    stuck = not passed and (
        len(attempts) >= STUCK_TRIES or hints >= STUCK_HINTS or minutes >= STUCK_MINUTES
    )
    return Cell(
        first.student,
        first.exercise,
        len(attempts),
        best,
        last.points,
        last.max_points,
        hints,
        first.at.isoformat(timespec="seconds"),
        last.at.isoformat(timespec="seconds"),
        passed,
        stuck,
    )


def cells(attempts: Iterable[Any], now: datetime) -> list[Cell]:
    """A cell per (student, exercise) that has attempts, attempts given oldest first."""
    grouped: dict[tuple[str, str], list[Any]] = {}
    for attempt in attempts:
        grouped.setdefault((attempt.student, attempt.exercise), []).append(attempt)
    return [cell(group, now) for group in grouped.values()]


def as_json(found: Iterable[Cell]) -> list[dict[str, Any]]:
    return [asdict(c) for c in found]


def as_csv(found: Iterable[Cell]) -> str:
    """The CSV export: a row per student and exercise, in course order."""
    order = {name: i for i, name in enumerate(exercises())}
    rows = sorted(found, key=lambda c: (c.student, order.get(c.exercise, len(order)), c.exercise))
    out = io.StringIO()
    fields = list(Cell.__dataclass_fields__)
    writer = csv.DictWriter(out, fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(asdict(c) for c in rows)
    return out.getvalue()
