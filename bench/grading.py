"""Grading figures: check() latency in a real kernel, and a class of 30 graded with -j 2.

    python -m bench.grading            (part of `make bench`)

Writes its keys into bench/results.json (other keys are kept):
check_ms_median, check_ms_p95, grade_seconds_per_submission, grade_bare_seconds_per_submission,
grade_ratio_vs_bare. "Bare" is plain nbclient running the same 30 notebooks, 2 at a time,
in fresh kernels with no grading: the floor the grader is measured against.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from bench import results
from course._paths import REPO_ROOT
from course.checking.cells import check_name
from course.checks import for_lesson
from course.grading.kernel import SandboxKernel

LESSON = "01-asgi-in-one-function"
CLASS_SIZE = 30
REPEATS = 30


async def check_latency() -> list[float]:
    """Milliseconds per check() of a correct answer, timed inside a real kernel."""
    nb = nbformat.read(REPO_ROOT / "solutions" / f"{LESSON}.ipynb", as_version=4)
    answers = [c.source for c in nb.cells if c.cell_type == "code" and not check_name(c.source)]
    names = [e.name for e in for_lesson(LESSON)]
    timer = (
        "import time as _t, json as _j\n_ms = []\n"
        f"for _i in range({REPEATS}):\n"
        f"    for _name in {names!r}:\n"
        "        _s = _t.perf_counter()\n"
        "        check(_name)\n"
        "        _ms.append((_t.perf_counter() - _s) * 1000)\n"
        "print('MS=' + _j.dumps(_ms))\n"
    )
    with tempfile.TemporaryDirectory() as scratch:
        kernel = SandboxKernel(
            Path(scratch), memory_mb=1024, max_output=50_000_000, keep_bytes=10**7
        )
        await kernel.start()
        try:
            for source in answers:
                await kernel.run(source, 60)
            run = await kernel.run(timer, 300)
        finally:
            await kernel.stop()
    found = [x for x in run.text.splitlines() if x.startswith("MS=")]
    if not found:
        raise RuntimeError(f"the timing cell gave {run.status}: {run.error}\n{run.text[-2000:]}")
    line = found[0]
    return list(json.loads(line[3:]))


def make_class(folder: Path) -> list[Path]:
    """30 submissions: solutions and untouched exercises, alternating."""
    sources = [
        REPO_ROOT / "solutions" / f"{LESSON}.ipynb",
        REPO_ROOT / "exercises" / f"{LESSON}.ipynb",
    ]
    paths = []
    for i in range(CLASS_SIZE):
        path = folder / f"student{i:02d}-{LESSON}.ipynb"
        shutil.copy(sources[i % 2], path)
        paths.append(path)
    return paths


def grade_seconds(paths: list[Path], out: Path) -> float:
    start = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "course",
        "grade",
        *map(str, paths),
        "--out",
        str(out),
        "-j",
        "2",
    ]
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def bare_seconds(paths: list[Path]) -> float:
    def run(path: Path) -> None:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(
            nb,
            timeout=60,
            allow_errors=True,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute(stderr=subprocess.DEVNULL)  # ipykernel's start-up warnings, as nbrun does

    start = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(run, paths))
    return time.perf_counter() - start


def main() -> int:
    ms = asyncio.run(check_latency())
    with tempfile.TemporaryDirectory() as scratch:
        paths = make_class(Path(scratch))
        bare = bare_seconds(paths)
        graded = grade_seconds(paths, Path(scratch) / "grades.csv")
    figures = {
        "check_ms_median": round(statistics.median(ms), 1),
        "check_ms_p95": round(statistics.quantiles(ms, n=20)[-1], 1),
        "grade_seconds_per_submission": round(graded / CLASS_SIZE, 3),
        "grade_bare_seconds_per_submission": round(bare / CLASS_SIZE, 3),
        "grade_ratio_vs_bare": round(graded / bare, 2),
    }
    results.update("grading", figures)
    results.show(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
