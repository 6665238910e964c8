"""Each lesson, top to bottom in a fresh kernel, against the floor: a fresh kernel running
only the lesson's setup cell.

    python -m bench.lessons [--runs 3]        (part of `make bench`)

One notebook at a time, so the figures are what a student waits for on an idle machine.
Lesson and floor runs alternate, and each figure is the median of ``--runs`` runs.
Writes ``lessons``: {name: {seconds, floor_seconds, ratio, slowest_cells, process_starts}}
and ``server_start_seconds`` (one ``course.serve()`` of the demo, median of 5) into
bench/results.json. Goals: ratio ≤ 2.5 at the median lesson, ≤ 4 for every lesson.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import nbformat

from bench import results
from course import lessons as catalogue
from course.authoring import nbrun

SLOWEST = 5  # cells listed per lesson, so a high ratio comes with where its time goes
# Calls in a lesson's cells that start a process (lesson 11's pytest() runs pytest in one).
STARTS = re.compile(r"(?<!def )\b(?:serve|serve_uvicorn|start_redis|start_worker|pytest)\(")


def floor_notebook(lesson: Path, folder: Path) -> Path:
    """A copy of *lesson* cut after its first code cell (``import course; course.setup()``)."""
    nb = nbformat.read(lesson, as_version=4)
    first = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code")
    nb.cells = nb.cells[: first + 1]
    path = folder / f"floor-{lesson.name}"
    nbformat.write(nb, path)
    return path


def cell_seconds(nb: Any) -> list[tuple[int, float, str]]:
    """(cell number, seconds, first line) for each code cell of a run notebook."""
    timed = []
    for number, cell in enumerate(nb.cells, start=1):
        stamps = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
            start = datetime.fromisoformat(stamps["iopub.execute_input"])
            end = datetime.fromisoformat(stamps["shell.execute_reply"])
            first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            timed.append((number, (end - start).total_seconds(), first[:60]))
    return timed


def measure(lesson: Path, runs: int, folder: Path) -> dict[str, Any]:
    floor = floor_notebook(lesson, folder)
    lesson_runs, floor_runs = [], []
    for _ in range(runs):
        for path, into in ((floor, floor_runs), (lesson, lesson_runs)):
            run = nbrun.run(path)
            if run.error:
                raise RuntimeError(f"{path.name} failed:\n{run.error[-2000:]}")
            into.append(run)
    middle = sorted(lesson_runs, key=lambda r: r.seconds)[len(lesson_runs) // 2]
    seconds = statistics.median(r.seconds for r in lesson_runs)
    floor_seconds = statistics.median(r.seconds for r in floor_runs)
    slowest = sorted(cell_seconds(middle.nb), key=lambda c: -c[1])[:SLOWEST]
    code = "\n".join(c.source for c in middle.nb.cells if c.cell_type == "code")
    return {
        "process_starts": len(STARTS.findall(code)),
        "seconds": round(seconds, 2),
        "floor_seconds": round(floor_seconds, 2),
        "ratio": round(seconds / floor_seconds, 2),
        "slowest_cells": [[n, round(s, 2), first] for n, s, first in slowest],
    }


def server_start_seconds(times: int = 5) -> float:
    """Median seconds for ``course.serve()`` to start the demo under daphne and answer."""
    from course.live.servers import serve

    took = []
    for _ in range(times):
        start = time.perf_counter()
        with serve(name="bench-start"):
            took.append(time.perf_counter() - start)
    return round(statistics.median(took), 2)


def main(argv: list[str] | None = None) -> int:
    args = results.arguments(__doc__ or "", 3, argv)
    chosen = results.chosen(catalogue.paths(), args.names)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for lesson in chosen:
            figures[lesson.stem] = got = measure(lesson, args.runs, Path(scratch))
            print(
                f"{lesson.stem:40} {got['seconds']:6.2f} s  floor {got['floor_seconds']:5.2f} s"
                f"  ratio {got['ratio']:5.2f}",
                flush=True,
            )
    if args.names:  # a partial run refreshes only the lessons it measured
        figures = {**results.load().get("lessons", {}), **figures}
    starting = server_start_seconds()
    print(f"one course.serve() of the demo: {starting} s")
    results.update(
        "lessons",
        {"lessons": figures, "server_start_seconds": starting},
        drop=["lesson_seconds", "solution_seconds"],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
