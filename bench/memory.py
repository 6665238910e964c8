"""Peak memory of each lesson: its kernel plus every process the kernel started.

    python -m bench.memory                    (part of `make bench`)

Each lesson runs once in a fresh kernel while a thread adds up, every 50 ms, the memory of
every process below this one: the kernel, its daphnes, Redis, workers, pytest. RSS counts
pages shared between processes once per process (an upper bound); PSS splits them (what
the processes use together, what a container's limit sees). A browser that lesson 11 drives
(Chromium and Playwright's driver, development tools a student's `make lab` lacks) is
counted apart. Writes ``peak_rss_mb`` (the heaviest lesson without the browser),
``peak_rss_lesson``, ``peak_rss_processes`` (what ran at that peak), ``memory_by_lesson``
({lesson: {rss_mb, pss_mb, browser_rss_mb}}). Goal: peak_rss_mb ≤ 300 (Binder allows 2 GB).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from bench import procs, results
from course import lessons as catalogue
from course.authoring import nbrun

INTERVAL = 0.05
BROWSER = ("chromium", "chrome", "node", "headless_shell")  # by process name


def is_browser(name: str) -> bool:
    return name.lower().startswith(BROWSER)


class Sampler(threading.Thread):
    """Keeps the largest totals of this process's descendants, and who made up the RSS peak."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.rss = self.pss = self.browser = 0.0
        self.at_peak: list[tuple[str, float]] = []
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(INTERVAL):
            tree = procs.descendants(os.getpid())
            course = [p for p in tree if not is_browser(procs.name(p))]
            shares = [(procs.kind(p), procs.rss_mb(p)) for p in course]
            rss = sum(mb for _, mb in shares)
            if rss > self.rss:
                self.rss, self.at_peak = rss, sorted(shares, key=lambda s: -s[1])
            self.pss = max(self.pss, sum(procs.pss_mb(p) for p in tree))
            browser = sum(procs.rss_mb(p) for p in tree if is_browser(procs.name(p)))
            self.browser = max(self.browser, browser)

    def stop(self) -> None:
        self._done.set()
        self.join()


def measure(path: Path) -> Sampler:
    sampler = Sampler()
    sampler.start()
    try:
        run = nbrun.run(path)
    finally:
        sampler.stop()
    if run.error:
        raise RuntimeError(f"{path.name} failed:\n{run.error[-2000:]}")
    return sampler


def main() -> int:
    by_lesson: dict[str, dict[str, float]] = {}
    heaviest: tuple[float, str, list[tuple[str, float]]] = (0.0, "", [])
    for path in catalogue.paths():
        got = measure(path)
        by_lesson[path.stem] = {
            "rss_mb": round(got.rss, 1),
            "pss_mb": round(got.pss, 1),
            "browser_rss_mb": round(got.browser, 1),
        }
        print(
            f"{path.stem:40} RSS {got.rss:6.1f} MB  PSS {got.pss:6.1f} MB"
            f"  browser RSS {got.browser:6.1f} MB",
            flush=True,
        )
        heaviest = max(heaviest, (got.rss, path.stem, got.at_peak))
    peak, lesson, processes = heaviest
    figures = {
        "peak_rss_mb": round(peak, 1),
        "peak_rss_lesson": lesson,
        "peak_rss_processes": [[name, round(mb, 1)] for name, mb in processes],
        "memory_by_lesson": by_lesson,
    }
    results.update("memory", figures, drop=["rss_mb_by_lesson"])
    print(f"heaviest: {lesson}, {peak:.1f} MB:", ", ".join(f"{n} {mb:.0f}" for n, mb in processes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
