"""Grade one submitted notebook in a fresh kernel; whatever happens, every check gets a row.

The notebook's cells run in order. Each check cell (``check("name")``, found by its source,
locked or not) is replaced by the grader's own grading cell (trusted.py); exercises whose
check cell was deleted are graded after the last cell. A cell that errors is noted and the
run goes on. A cell that runs too long is interrupted; if the kernel then hangs or dies
(a hung ``await``, ``os._exit``, a segfault), it is restarted, the cells that had run are run
again, and grading goes on after the culprit, so a student loses only what that cell broke.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.checks import EXERCISES, for_lesson
from course.grading.kernel import CellRun, SandboxKernel, Supply, fresh_kernel
from course.grading.model import Exercise, Result, Status
from course.grading.release import check_name
from course.grading.trusted import grading_cell, read_payload

MAX_RESTARTS = 3


@dataclass(frozen=True)
class Options:
    timeout: float = 30.0  # seconds per cell
    check_timeout: float = 2.0  # seconds per check
    memory_mb: int = 1024
    max_output: int = 5_000_000  # bytes of output per cell before it is stopped


@dataclass
class Graded:
    """One submission's rows, notes for its feedback, and how its run went."""

    submission: str
    lesson: str | None
    results: list[Result] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def points(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def max_points(self) -> int:
        return sum(r.max_points for r in self.results)


@dataclass(frozen=True)
class Step:
    cell: int  # 1-based, as JupyterLab's status bar counts
    source: str
    exercise: str | None = None  # set for a grading step


def lessons() -> set[str]:
    return {exercise.lesson for exercise in EXERCISES.values()}


def identify(path: Path, nb: dict[str, Any] | None, lesson: str | None) -> str | None:
    """Which lesson a submission belongs to: --lesson, the notebook's metadata, its file name."""
    known = lessons()
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
    return [Result(exercise.name, c.name, c.title, 0, c.points, status, message) for c in exercise]


def trusted_rows(exercise: Exercise, payload: dict[str, Any]) -> list[Result]:
    """Rows from the kernel's report; points and titles come from the grader's own registry."""
    reported = {r.get("check"): r for r in payload.get("results", []) if isinstance(r, dict)}
    rows = []
    for check in exercise:
        got = reported.get(check.name)
        if got is None:
            why = payload.get("error", "the check did not report")
            rows.append(
                Result(
                    exercise.name,
                    check.name,
                    check.title,
                    0,
                    check.points,
                    "crashed",
                    f"grading failed: {why}",
                )
            )
            continue
        status: Status = got["status"] if got.get("status") in STATUSES else "crashed"
        points = check.points if status == "passed" else 0
        rows.append(
            Result(
                exercise.name,
                check.name,
                check.title,
                points,
                check.points,
                status,
                str(got.get("message", ""))[:2000],
                float(got.get("seconds", 0.0)),
            )
        )
    return rows


GRADING_FAILED = {
    "ok": "gave no result",
    "error": "failed",
    "timeout": "ran out of time (is a check's thread still holding the kernel?)",
    "hung": "hung",
    "died": "stopped the kernel",
    "flooded": "printed too much",
}
STATUSES = ("passed", "failed", "error", "timeout", "crashed", "not-run")


def describe(run: CellRun, step: Step, options: Options) -> str:
    """A note for the feedback file about a cell that did not simply run."""
    where = f"code cell {step.cell}"
    if run.status == "error":
        return f"{where} raised {run.error}"
    if run.status == "timeout":
        return f"{where} ran longer than {options.timeout:g} s and was interrupted"
    if run.status == "hung":
        return (
            f"{where} ran longer than {options.timeout:g} s and could not be interrupted "
            "(a hung await?): the kernel was restarted"
        )
    if run.error.startswith("MemoryError"):
        return f"{where} ran out of memory (MemoryError): the kernel was restarted without it"
    if run.status == "died":
        return f"{where} stopped the kernel (os._exit, a crash, or out of memory): it was restarted"
    return f"{where} printed more than {options.max_output:,} bytes and was stopped"


async def grade_submission(
    path: Path,
    options: Options,
    lesson: str | None = None,
    graded_hook: Callable[[], None] = lambda: None,
    supply: Supply | None = None,
) -> Graded:
    """Grade one notebook; ``graded_hook`` is called once the results are in, before cleanup
    (so a parallel grader can start the next kernel while this one shuts down)."""
    started = time.perf_counter()
    graded = await _grade(path, options, lesson, graded_hook, supply)
    graded.seconds = time.perf_counter() - started
    return graded


async def _grade(
    path: Path,
    options: Options,
    lesson: str | None,
    graded_hook: Callable[[], None],
    supply: Supply | None,
) -> Graded:
    try:
        nb = json.loads(path.read_text())  # noqa: ASYNC240 - one small file, before any kernel
    except (OSError, ValueError) as error:
        nb, problem = None, f"could not read the notebook: {error}"
    else:
        problem = ""
    name = identify(path, nb, lesson)
    graded = Graded(str(path), name)
    if name is None:
        graded.notes.append(
            "could not tell which lesson this notebook belongs to: keep the name "
            "NN-lesson-name.ipynb, or grade it with --lesson NN"
        )
        graded.results.append(Result("", "", "", 0, 0, "not-run", graded.notes[-1]))
        return graded
    exercises = for_lesson(name)
    if nb is None:
        graded.notes.append(problem)
        for exercise in exercises:
            graded.results += rows_for(exercise, "not-run", problem)
        return graded
    if supply is None:
        kernel = await fresh_kernel(options.memory_mb, options.max_output)
    else:
        kernel = await supply.take()
    try:
        await _run_steps(kernel, plan(nb, exercises), graded, options)
    finally:
        graded_hook()
        await kernel.dispose()
    return graded


async def _run_steps(
    kernel: SandboxKernel, steps: list[Step], graded: Graded, options: Options
) -> None:
    ran: list[Step] = []  # cells to run again after a restart
    restarts = 0
    for index, step in enumerate(steps):
        if step.exercise is None:
            run = await kernel.run(step.source, options.timeout)
            if run.error.startswith("MemoryError"):
                run.status = "died"  # whatever it holds would starve every later cell and check
            elif run.status in ("ok", "error"):
                ran.append(step)
            if run.status != "ok":
                graded.notes.append(describe(run, step, options))
        else:
            exercise = EXERCISES[step.exercise]
            nonce = secrets.token_hex(16)
            cell = grading_cell(exercise.name, nonce, options.check_timeout)
            run = await kernel.run(cell, options.timeout)
            payload = read_payload(run.data, nonce)
            if payload is not None:
                graded.results += trusted_rows(exercise, payload)
            else:
                status: Status = "timeout" if run.status in ("timeout", "hung") else "crashed"
                why = run.error or f"the grading cell {GRADING_FAILED[run.status]}"
                graded.results += rows_for(exercise, status, f"could not grade: {why}")
        if run.status in ("hung", "died"):
            restarts += 1
            if restarts > MAX_RESTARTS or not await _recover(kernel, ran, options):
                reason = f"the kernel could not be brought back after code cell {step.cell}"
                graded.notes.append(reason)
                for later in steps[index + 1 :]:
                    if later.exercise is not None:
                        graded.results += rows_for(EXERCISES[later.exercise], "not-run", reason)
                return


async def _recover(kernel: SandboxKernel, ran: list[Step], options: Options) -> bool:
    """A fresh kernel in the state the notebook had before the culprit cell."""
    await kernel.restart()
    for step in ran:
        run = await kernel.run(step.source, options.timeout)
        if run.status not in ("ok", "error"):
            return False
    return True
