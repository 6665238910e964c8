"""Peak memory of each lesson: its kernel plus every process the kernel started.

    python -m bench.memory [NN ...]           (part of `make bench`)

Each lesson runs twice in a fresh kernel, servers forked from the fork server and (the
way every server started before it) spawned, ``COURSE_FORK_SERVER=0``, while a thread
adds up, every 50 ms, the memory of every process below this one: the kernel, its
daphnes, Redis, workers, pytest, the fork server. PSS splits each shared page between the
processes sharing it (what they use together, what a container's limit sees); RSS counts
a shared page once per process, so it overstates forked servers, which share most pages
with the fork server. A browser that lesson 12 drives (Chromium and Playwright's driver,
development tools a student's `make lab` lacks) is counted apart. Writes ``peak_pss_mb``
(the heaviest lesson, forked, without the browser), ``peak_pss_lesson``,
``peak_pss_processes`` (what held it at that peak), ``peak_rss_mb``, ``memory_by_lesson``
({lesson: {rss_mb, pss_mb, pss_mb_spawned, browser_rss_mb}}). Goal: peak_pss_mb ≤ 300
(Binder allows 2 GB).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from bench import procs, results
from course import lessons as catalogue
from course.authoring import nbrun
from course.live.forkserver import SWITCH

INTERVAL = 0.05
BROWSER = ("chromium", "chrome", "node", "headless_shell")  # by process name


def is_browser(name: str) -> bool:
    return name.lower().startswith(BROWSER)


class Sampler(threading.Thread):
    """Keeps the largest totals of this process's descendants, and who made up the PSS peak."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.rss = self.pss = self.browser = 0.0
        self.at_peak: list[tuple[str, float]] = []
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(INTERVAL):
            tree = procs.descendants(os.getpid())
            course = [p for p in tree if not is_browser(procs.name(p))]
            shares = [(procs.kind(p), procs.pss_mb(p)) for p in course]
            pss = sum(mb for _, mb in shares)
            if pss > self.pss:
                self.pss, self.at_peak = pss, sorted(shares, key=lambda s: -s[1])
            self.rss = max(self.rss, sum(procs.rss_mb(p) for p in course))
            browser = sum(procs.rss_mb(p) for p in tree if is_browser(procs.name(p)))
            self.browser = max(self.browser, browser)

    def stop(self) -> None:
        self._done.set()
        self.join()


def measure(path: Path, forked: bool) -> Sampler:
    env = {k: v for k, v in os.environ.items() if k != SWITCH}
    if not forked:
        env[SWITCH] = "0"
    for attempt in (1, 2):  # once more if a cell's timeout lost to a busy machine
        sampler = Sampler()
        sampler.start()
        try:
            run = nbrun.run(path, env=env)
        finally:
            sampler.stop()
        if not run.error:
            return sampler
        print(f"{path.name} failed (run {attempt} of 2):\n{run.error[-300:]}", flush=True)
    raise RuntimeError(f"{path.name} failed twice:\n{run.error[-2000:]}")


def main(argv: list[str] | None = None) -> int:
    args = results.arguments(__doc__ or "", 1, argv)
    by_lesson: dict[str, dict[str, float]] = {}
    heaviest: tuple[float, str, list[tuple[str, float]]] = (0.0, "", [])
    peak_rss = 0.0
    if args.names:  # a partial run refreshes only the lessons it measures
        data = results.load()
        by_lesson = dict(data.get("memory_by_lesson", {}))
        if "peak_pss_mb" in data:
            heaviest = (data["peak_pss_mb"], data["peak_pss_lesson"], data["peak_pss_processes"])
        peak_rss = data.get("peak_rss_mb", 0.0)
    for path in results.chosen(catalogue.paths(), args.names):
        got, spawned = measure(path, forked=True), measure(path, forked=False)
        by_lesson[path.stem] = {
            "rss_mb": round(got.rss, 1),
            "pss_mb": round(got.pss, 1),
            "pss_mb_spawned": round(spawned.pss, 1),
            "browser_rss_mb": round(got.browser, 1),
        }
        print(
            f"{path.stem:36} PSS {got.pss:6.1f} MB (spawned {spawned.pss:6.1f})"
            f"  RSS {got.rss:6.1f} MB  browser RSS {got.browser:6.1f} MB",
            flush=True,
        )
        heaviest = max(heaviest, (got.pss, path.stem, got.at_peak))
        peak_rss = max(peak_rss, got.rss)
    peak, lesson, processes = heaviest
    figures = {
        "peak_pss_mb": round(peak, 1),
        "peak_pss_lesson": lesson,
        "peak_pss_processes": [[name, round(mb, 1)] for name, mb in processes],
        "peak_rss_mb": round(peak_rss, 1),
        "memory_by_lesson": by_lesson,
    }
    drop = ["rss_mb_by_lesson", "peak_rss_lesson", "peak_rss_processes"]
    results.update("memory", figures, drop=drop)
    print(f"heaviest: {lesson}, {peak:.1f} MB:", ", ".join(f"{n} {mb:.0f}" for n, mb in processes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
