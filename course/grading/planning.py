"""What a submission is: which lesson, which cells to run, and rows the grader can trust."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course.checking.cells import check_name
from course.checking.model import STATUSES, Exercise, Result, Status
from course.checks import EXERCISES


@dataclass(frozen=True)
class Step:
    cell: int  # 1-based, as JupyterLab's status bar counts
    source: str
    exercise: str | None = None  # set for a grading step


def graded_lessons() -> set[str]:
    """The lessons that have exercises, by slug (the registry's, not the notebooks')."""
    return {exercise.lesson for exercise in EXERCISES.values()}


def identify(path: Path, nb: dict[str, Any] | None, lesson: str | None) -> str | None:
    """Which lesson a submission belongs to: --lesson, the notebook's metadata, its file name."""
    known = graded_lessons()
    if lesson:
        matches = [name for name in known if name == lesson or name.startswith(f"{lesson}-")]
        return matches[0] if len(matches) == 1 else None
    claimed = ((nb or {}).get("metadata") or {}).get("course", {}).get("lesson")
    if claimed in known:
        return str(claimed)
    in_name = [name for name in known if name in path.name]
    return in_name[0] if len(in_name) == 1 else None


def plan(nb: dict[str, Any], exercises: list[Exercise]) -> list[Step]:
    """The cells to run, with each exercise's check cell swapped for a grading step."""
    wanted = {exercise.name for exercise in exercises}
    steps: list[Step] = []
    graded: set[str] = set()
    code_cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    for number, cell in enumerate(code_cells, start=1):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        name = check_name(source)
        if name is None:
            steps.append(Step(number, source))
        elif name in wanted and name not in graded:
            graded.add(name)
            steps.append(Step(number, "", name))
    last = len(code_cells) + 1
    steps += [Step(last, "", e.name) for e in exercises if e.name not in graded]
    return steps


def rows_for(exercise: Exercise, status: Status, message: str) -> list[Result]:
    """Zero-point rows for every check of an exercise that could not be graded."""
    return [check.result(status, message) for check in exercise]


def hints_in(payload: dict[str, Any]) -> int:
    """The hints the kernel says its notebook asked for: a count, or 0 for anything else
    (the number is the student's kernel's word, so it is only ever a small count)."""
    hints = payload.get("hints")
    return hints if type(hints) is int and 0 <= hints <= 99 else 0


def trusted_rows(exercise: Exercise, payload: dict[str, Any]) -> list[Result]:
    """Rows from the kernel's report; points and titles come from the grader's own registry."""
    reported = {r.get("check"): r for r in payload.get("results", []) if isinstance(r, dict)}
    why = payload.get("error", "the check did not report")
    rows = []
    for check in exercise:
        got = reported.get(check.name) or {"status": "crashed", "message": f"grading failed: {why}"}
        status: Status = got["status"] if got.get("status") in STATUSES else "crashed"
        message = str(got.get("message", ""))[:2000]
        rows.append(check.result(status, message, float(got.get("seconds", 0.0))))
    return rows
