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

from course.checking.model import Result, Status
from course.checks import EXERCISES, for_lesson
from course.grading.kernel import CellRun, SandboxKernel, Supply, fresh_kernel
from course.grading.planning import Step, hints_in, identify, plan, rows_for, trusted_rows
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
    hints: dict[str, int] = field(default_factory=dict)  # exercise → hints the notebook asked

    @property
    def points(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def max_points(self) -> int:
        return sum(r.max_points for r in self.results)


GRADING_FAILED = {
    "ok": "gave no result",
    "error": "failed",
    "timeout": "ran out of time (is a check's thread still holding the kernel?)",
    "hung": "hung",
    "died": "stopped the kernel",
    "flooded": "printed too much",
}


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
    kernel = None
    try:
        if supply is None:
            kernel = await fresh_kernel(options.memory_mb, options.max_output)
        else:
            kernel = await supply.take()
        await _run_steps(kernel, plan(nb, exercises), graded, options)
    except Exception as error:  # the grader's own failure (a kernel that would not start):
        graded.notes.append(f"the grader stopped: {error}")  # each check still gets its row
        done = {r.exercise for r in graded.results}
        for exercise in exercises:
            if exercise.name not in done:
                graded.results += rows_for(exercise, "not-run", graded.notes[-1])
    finally:
        graded_hook()
        if kernel is not None:
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
            cell = grading_cell(exercise.name, nonce, options.check_timeout, kernel.cwd)
            run = await kernel.run(cell, options.timeout)
            payload = read_payload(run.data, nonce)
            if payload is not None:
                graded.results += trusted_rows(exercise, payload)
                graded.hints[exercise.name] = hints_in(payload)
            else:
                status: Status = "timeout" if run.status in ("timeout", "hung") else "crashed"
                why = run.error or f"the grading cell {GRADING_FAILED[run.status]}"
                graded.results += rows_for(exercise, status, f"could not grade: {why}")
        if run.status in ("hung", "died"):
            restarts += 1
            failed = "too many restarts" if restarts > MAX_RESTARTS else ""
            if failed or (failed := await _recover(kernel, ran, options)):
                reason = f"the kernel could not be brought back after code cell {step.cell}"
                graded.notes.append(f"{reason} ({failed})")
                for later in steps[index + 1 :]:
                    if later.exercise is not None:
                        graded.results += rows_for(EXERCISES[later.exercise], "not-run", reason)
                return


async def _recover(kernel: SandboxKernel, ran: list[Step], options: Options) -> str:
    """A fresh kernel in the state the notebook had before the culprit cell; or why not."""
    try:
        await kernel.restart()
    except Exception as error:
        return f"it would not start again: {error}"
    for step in ran:
        run = await kernel.run(step.source, options.timeout)
        if run.status not in ("ok", "error"):
            return f"code cell {step.cell} ended as {run.status!r} when run again"
    return ""
