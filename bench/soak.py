"""Soak: every notebook many times in fresh kernels, then kernels killed mid-run.

    python -m bench.soak [--runs 10]          (`make soak`, not part of `make test`)

1. Every lesson and solutions notebook runs ``--runs`` times in a row, each time in a fresh
   kernel; a run that raises where no cell is tagged to fail is a failure (goal: 0).
   While they run, the kernel's child processes are watched: that tells which notebooks
   start processes (daphne, redis-server, a worker, uvicorn, pytest).
2. For each notebook that starts processes: run it again, SIGKILL its kernel as soon as the
   first child has run for a moment, then count what is left (goal: 0 after 10 s). A
   leftover is a process whose environment holds this run's marker (every child inherits
   the kernel's environment), or one seen below the kernel before the kill that still runs.

Writes bench/soak.json; `python -m bench.report` puts it into bench/RESULTS.md.
"""

from __future__ import annotations

import os
import signal
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from bench import procs, results
from course import lessons as catalogue
from course.authoring import nbrun

MARKER = "COURSE_SOAK_RUN"
SETTLE = 0.5  # seconds a first child gets to start up before the kernel is killed
GRACE = 10.0  # seconds the death signal gets to stop everything


def label(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


class Run(threading.Thread):
    """One notebook in a fresh kernel whose environment carries a marker of its own."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.marker = f"{MARKER}={uuid.uuid4().hex}"
        self.error: str | None = None
        self.seconds = 0.0
        self.seen: dict[int, procs.Proc] = {}  # every process seen below the kernel
        self.kinds: dict[int, str] = {}  # what each of them was

    def run(self) -> None:
        name, value = self.marker.split("=")
        start = time.perf_counter()
        try:
            done = nbrun.run(self.path, timeout=120, env={**os.environ, name: value})
            if done.error:  # a failed cell
                self.error = f"CellExecutionError: {done.error.strip()[-600:]}"
        except Exception as error:  # a kernel that died
            self.error = f"{type(error).__name__}: {str(error).strip()[-600:]}"
        self.seconds = time.perf_counter() - start

    def kernel(self) -> procs.Proc | None:
        for proc in procs.descendants(os.getpid()):
            if procs.has_marker(proc, self.marker) and "ipykernel" in procs.command(proc):
                return proc
        return None

    def watch(self) -> list[procs.Proc]:
        """Note the kernel's descendants now; return them."""
        kernel = self.kernel()
        below = procs.descendants(kernel.pid) if kernel else []
        for proc in below:
            if proc.pid not in self.seen:
                self.seen[proc.pid] = proc
                self.kinds[proc.pid] = procs.kind(proc)
        return below


def leftovers(marker: str, seen: dict[int, procs.Proc] | None = None) -> list[procs.Proc]:
    """Processes that carry *marker* or were *seen* below a kernel and still run (never us)."""
    ours = {os.getpid()} | {p.pid for p in procs.descendants(os.getpid())}
    found = {p.pid: p for p in procs.every() if p.pid not in ours and procs.has_marker(p, marker)}
    found.update((p.pid, p) for p in (seen or {}).values() if procs.alive(p) and p.pid not in ours)
    return list(found.values())


def wait_for_leftovers(
    marker: str, seen: dict[int, procs.Proc] | None = None, grace: float = GRACE
) -> list[procs.Proc]:
    """Leftovers once they are all gone, or whatever is still there after *grace* seconds."""
    deadline = time.monotonic() + grace
    while (left := leftovers(marker, seen)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def soak(path: Path, runs: int) -> dict[str, Any]:
    errors, seconds, children = [], [], set()
    for _ in range(runs):
        run = Run(path)
        run.start()
        while run.is_alive():
            run.watch()
            run.join(0.1)
        seconds.append(run.seconds)
        children |= set(run.kinds.values())
        if run.error:
            errors.append(run.error)
    return {
        "runs": runs,
        "failures": len(errors),
        "errors": errors[:3],
        "median_seconds": round(statistics.median(seconds), 2),
        "children": sorted(children),
    }


def kill_mid_run(path: Path) -> dict[str, Any]:
    """Run *path*, SIGKILL its kernel once a child has started, count what is left."""
    run = Run(path)
    run.start()
    first_child = None
    while run.is_alive():
        below = run.watch()
        if below and first_child is None:
            first_child = time.monotonic()
        if first_child is not None and time.monotonic() - first_child >= SETTLE:
            break
        time.sleep(0.05)
    kernel = run.kernel()
    if kernel is None or first_child is None:
        run.join()
        return {"killed": False, "leftover": 0, "note": "ended before a child started"}
    at_kill = [procs.shown(p) for p in run.watch()]
    started = time.perf_counter()
    os.kill(kernel.pid, signal.SIGKILL)
    left = wait_for_leftovers(run.marker, run.seen)
    gone_after = time.perf_counter() - started
    run.join(30)
    left_commands = [procs.shown(p) for p in left]
    for proc in left:  # clean up after a failure, so one leak does not skew the next notebook
        proc.kill()
    return {
        "killed": True,
        "running_at_kill": at_kill,
        "leftover": len(left),
        "leftover_commands": left_commands,
        "seconds_until_none_left": None if left else round(gone_after, 2),
    }


def main(argv: list[str] | None = None) -> int:
    args = results.arguments(__doc__ or "", 10, argv)
    chosen = results.chosen(catalogue.notebooks(), args.names)
    started = time.perf_counter()
    soaked = {}
    for path in chosen:
        soaked[label(path)] = got = soak(path, args.runs)
        print(
            f"{label(path):45} {got['failures']}/{got['runs']} failed, "
            f"{got['median_seconds']:5.1f} s, children: {', '.join(got['children']) or '-'}",
            flush=True,
        )
    killed = {}
    for path in chosen:
        if soaked[label(path)]["children"]:
            killed[label(path)] = got = kill_mid_run(path)
            print(f"{label(path):45} killed mid-run: {got['leftover']} left over", flush=True)
    report = {
        "runs_per_notebook": args.runs,
        "failures": sum(s["failures"] for s in soaked.values()),
        "orphans": sum(k["leftover"] for k in killed.values()),
        "notebooks": soaked,
        "killed": killed,
        "soak_seconds": round(time.perf_counter() - started),
        "measured": results.stamp(),
    }
    results.save(report, results.SOAK)
    print(f"failures: {report['failures']}, orphans: {report['orphans']}")
    return 1 if report["failures"] or report["orphans"] else 0


if __name__ == "__main__":
    sys.exit(main())
