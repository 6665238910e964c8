"""What a student waits for in each lesson: its slowest cell, and its server starts.

    python -m bench.lessons [--runs 3] [NN ...]     (part of `make bench`)

One notebook at a time, each run top to bottom in a fresh kernel, ``--runs`` times. A cell
whose lesson *is* the wait (a timeout, an expiry) carries the tag ``slow-on-purpose``: its
seconds count apart. Every server the kernel starts (daphne, uvicorn, Redis, a worker) is
timed by the toolkit itself, from the call to the moment it answers: the kernel's
environment names a file (``COURSE_START_LOG``) each start appends a line to.

Writes ``lessons``: {name: {seconds, slowest_cell: [cell, seconds, first line],
over_a_second: [[cell, seconds, first line], ...], on_purpose_seconds, server_starts,
server_start_median, server_kinds}} into bench/results.json, each figure the median of the
runs (a cell: the median of its own times). Cells are numbered from 1, counting every cell
(as ``nbrun.NotebookRun.cell_shows`` does). Goal: no untagged cell over 1 s.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import results
from course import lessons as catalogue
from course.authoring import nbrun

ON_PURPOSE = "slow-on-purpose"  # the cell tag
CELL_LIMIT = 1.0  # seconds: the goal for every untagged cell
START_LOG = "COURSE_START_LOG"  # read by course/live/managed.py


def cell_seconds(nb: Any) -> dict[int, tuple[float, str, bool]]:
    """{cell number: (seconds, first line, tagged slow-on-purpose)} for each run code cell."""
    timed = {}
    for number, cell in enumerate(nb.cells, start=1):
        stamps = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
            start = datetime.fromisoformat(stamps["iopub.execute_input"])
            end = datetime.fromisoformat(stamps["shell.execute_reply"])
            first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            tagged = ON_PURPOSE in cell.get("metadata", {}).get("tags", [])
            timed[number] = ((end - start).total_seconds(), first[:60], tagged)
    return timed


def starts(log: Path) -> list[dict[str, Any]]:
    """The server starts a run's kernel wrote down ([] if none)."""
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def summarise(runs: list[tuple[float, dict[int, tuple[float, str, bool]], list[Any]]]) -> dict:
    """The figures of one lesson from its runs: (seconds, cell times, starts) each."""
    cells: dict[int, list[float]] = {}
    about: dict[int, tuple[str, bool]] = {}
    for _, timed, _ in runs:
        for number, (seconds, first, tagged) in timed.items():
            cells.setdefault(number, []).append(seconds)
            about[number] = (first, tagged)
    median = {n: round(statistics.median(times), 2) for n, times in cells.items()}
    untagged = sorted(((s, n) for n, s in median.items() if not about[n][1]), reverse=True)
    on_purpose = sum(s for n, s in median.items() if about[n][1])
    counts = [len(started) for _, _, started in runs]
    times = [start["seconds"] for _, _, started in runs for start in started]
    kinds = sorted({start["kind"] for _, _, started in runs for start in started})
    slowest = [[n, s, about[n][0]] for s, n in untagged[:1]]
    return {
        "seconds": round(statistics.median(r[0] for r in runs), 2),
        "slowest_cell": slowest[0] if slowest else None,
        "over_a_second": [[n, s, about[n][0]] for s, n in untagged if s > CELL_LIMIT],
        "on_purpose_seconds": round(on_purpose, 2),
        "server_starts": int(statistics.median(counts)),
        "server_start_median": round(statistics.median(times), 3) if times else None,
        "server_kinds": kinds,
    }


def measure(lesson: Path, runs: int, folder: Path) -> dict[str, Any]:
    measured = []
    for i in range(runs):
        log = folder / f"starts-{lesson.stem}-{i}.jsonl"
        run = nbrun.run(lesson, env={**os.environ, START_LOG: str(log)})
        if run.error:
            raise RuntimeError(f"{lesson.name} failed:\n{run.error[-2000:]}")
        measured.append((run.seconds, cell_seconds(run.nb), starts(log)))
    return summarise(measured)


def main(argv: list[str] | None = None) -> int:
    args = results.arguments(__doc__ or "", 3, argv)
    chosen = results.chosen(catalogue.paths(), args.names)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for lesson in chosen:
            figures[lesson.stem] = got = measure(lesson, args.runs, Path(scratch))
            slowest = got["slowest_cell"] or [0, 0.0, ""]
            print(
                f"{lesson.stem:36} {got['seconds']:6.2f} s  slowest cell {slowest[0]:3}:"
                f" {slowest[1]:5.2f} s  on purpose {got['on_purpose_seconds']:5.2f} s"
                f"  {got['server_starts']} starts, median {got['server_start_median']} s",
                flush=True,
            )
    if args.names:  # a partial run refreshes only the lessons it measured
        figures = {**results.load().get("lessons", {}), **figures}
    results.update("lessons", {"lessons": figures}, drop=["server_start_seconds"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
