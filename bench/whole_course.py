"""The whole course at once: every lesson and every solutions notebook, two at a time.

    python -m bench.whole_course                    (part of `make bench`)

Each notebook in a fresh kernel, as `make test` runs them (two workers, like its
``pytest -n 2``). Writes ``course_seconds`` (wall clock for all of them) and
``course_failures`` into bench/results.json. Goal: course_seconds ≤ 90.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import results
from course import lessons as catalogue
from course.authoring import nbrun

WORKERS = 2


def notebooks() -> list[Path]:
    """Lessons and solutions, the slowest first (by the last lesson figures) so the two
    workers finish together rather than one waiting on a long lesson at the end."""
    known = results.load().get("lessons", {})
    return sorted(
        catalogue.notebooks(),
        key=lambda p: -known.get(p.stem, {}).get("seconds", 0) * (p.parent.name == "notebooks"),
    )


def main() -> int:
    paths = notebooks()
    start = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        runs = list(pool.map(nbrun.run, paths))
    seconds = time.perf_counter() - start
    failed = [f"{r.path.parent.name}/{r.path.name}" for r in runs if r.error]
    results.update("course", {"course_seconds": round(seconds, 1), "course_failures": failed})
    print(f"{len(paths)} notebooks, {WORKERS} at a time: {seconds:.1f} s")
    for name in failed:
        print("failed:", name, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
