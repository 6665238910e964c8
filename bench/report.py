"""bench/results.json and bench/soak.json → bench/RESULTS.md, and its summary into README.md.

    python -m bench.report                    (the last step of `make bench` and `make soak`)

The README's "Performance and reliability" section is the summary table of RESULTS.md,
copied between two markers, never typed by hand (tests/bench/test_bench_report.py checks).
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench import results
from bench.tables import CELL_MAX, lessons_table, memory_table, servers_table, soak_table
from course._paths import REPO_ROOT

RESULTS_MD = results.BENCH / "RESULTS.md"
README = REPO_ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"  # in README.md
SUMMARY_START, SUMMARY_END = "<!-- summary:start -->", "<!-- summary:end -->"  # in RESULTS.md


@dataclass(frozen=True)
class Goal:
    what: str
    figure: Callable[[dict[str, Any]], float]
    limit: float
    unit: str = ""
    which: Callable[[dict[str, Any]], str] | None = None  # names the lesson that sets it

    def row(self, data: dict[str, Any]) -> str:
        target = f"≤ {self.limit:g}{self.unit}" if self.limit else "0"
        try:
            value = self.figure(data)
            what = f"{self.what} ({self.which(data)})" if self.which else self.what
        except (KeyError, ValueError, statistics.StatisticsError):
            return f"| {self.what} | {target} | not measured | – |"
        return (
            f"| {what} | {target} | {value:g}{self.unit} | {'✓' if value <= self.limit else '✗'} |"
        )


def slowest_cell(data: dict[str, Any]) -> tuple[str, float]:
    """The lesson whose slowest untagged cell is the slowest, and that cell's seconds."""
    cells = [
        (got["slowest_cell"][1], name[:2])
        for name, got in data["lessons"].items()
        if got.get("slowest_cell")
    ]
    seconds, name = max(cells)
    return name, seconds


GOALS = [
    Goal(
        "`course.serve()` until it answers ÷ `python -c pass`",
        lambda d: d["server_start"]["forked_ratio"],
        5,
        "×",
    ),
    Goal(
        "servers of a kernel with two daphnes and a Redis (PSS)",
        lambda d: d["servers_pss"]["forked_mb"],
        60,
        " MB",
    ),
    Goal(
        "slowest cell a student runs, not slow on purpose",
        lambda d: slowest_cell(d)[1],
        CELL_MAX,
        " s",
        lambda d: slowest_cell(d)[0],
    ),
    Goal("every lesson and solution, 2 workers", lambda d: d["course_seconds"], 90, " s"),
    Goal("`check()`, median", lambda d: d["check_ms_median"], 100, " ms"),
    Goal(
        "grading, per submission (30, `-j 2`)",
        lambda d: d["grade_seconds_per_submission"],
        0.8,
        " s",
    ),
    Goal("grading ÷ plain nbclient", lambda d: d["grade_ratio_vs_bare"], 1.3, "×"),
    Goal(
        "peak memory, heaviest lesson (PSS)",
        lambda d: d["peak_pss_mb"],
        300,
        " MB",
        lambda d: d["peak_pss_lesson"][:2],
    ),
    Goal("a fresh `make lab` until JupyterLab starts", lambda d: d["install_seconds"], 45, " s"),
    Goal("`.venv` after `make lab`", lambda d: d["venv_mb"], 400, " MB"),
    Goal("soak: failed runs", lambda d: d["soak"]["failures"], 0),
    Goal("soak: processes left by a killed kernel", lambda d: d["soak"]["orphans"], 0),
]


def summary(data: dict[str, Any]) -> str:
    """The goal table: what README.md quotes."""
    rows = [goal.row(data) for goal in GOALS]
    soak = data.get("soak", {})
    notes = [
        f"Measured by `make bench` ({_when(data)}) and `make soak`"
        f" ({soak.get('runs_per_notebook', '?')} runs a notebook,"
        f" {soak.get('measured', 'not yet')}); a fresh `make lab` took"
        f" {data.get('install_seconds', '?')} s. Details: [bench/RESULTS.md](bench/RESULTS.md).",
    ]
    table = ["| Goal | Target | Measured | |", "|---|---|---|---|", *rows]
    return "\n".join(table) + "\n\n" + "\n".join(notes) + "\n"


# The scripts `make bench` runs (`make students` and `make soak` are stamped apart).
BENCH_SCRIPTS = ("lessons", "servers", "course", "grading", "memory", "install")


def _when(data: dict[str, Any]) -> str:
    """When `make bench` last wrote: the newest stamp of its own scripts."""
    measured = data.get("measured", {})
    stamps = sorted(measured[s] for s in BENCH_SCRIPTS if s in measured)
    return stamps[-1] if stamps else "not yet"


def render(data: dict[str, Any]) -> str:
    grading = (
        f"check() median {data.get('check_ms_median')} ms, p95 {data.get('check_ms_p95')} ms;"
        f" grading {data.get('grade_seconds_per_submission')} s a submission against"
        f" {data.get('grade_bare_seconds_per_submission')} s for plain nbclient."
    )
    largest = ", ".join(f"{name} {mb}" for name, mb in data.get("venv_largest", []))
    return "\n".join(
        [
            "# Performance and reliability",
            "",
            "Generated by `python -m bench.report` from bench/results.json and bench/soak.json;"
            " `make bench` and `make soak` measure. Do not edit by hand.",
            "",
            SUMMARY_START,
            summary(data).rstrip("\n"),
            SUMMARY_END,
            "",
            "## Servers",
            "",
            "Side by side in one run (`python -m bench.servers`, medians): every server started"
            " from scratch, as before the fork server (`COURSE_FORK_SERVER=0`), against forked"
            " from a process that has imported Django, Channels, Twisted and uvicorn already"
            " (course/live/forkserver.py). The PSS is a lesson-08 kernel's servers after each"
            " daphne served a page and a chat WebSocket through Redis.",
            "",
            servers_table(data),
            "## Lessons",
            "",
            "Each lesson run top to bottom in a fresh kernel, median of 3 (a cell: the median of"
            " its own times). Cells are numbered from 1, counting every cell. A cell tagged"
            " `slow-on-purpose` (its lesson is the wait: a timeout, an expiry) counts apart, under"
            " *On purpose*. Server starts: the daphnes, uvicorns, Redis servers and workers the"
            " kernel started, each timed from the call until it answered.",
            "",
            lessons_table(data),
            "## Memory",
            "",
            "Kernel plus every process it started, sampled every 50 ms, each lesson run with its"
            " servers forked (the fork server counted) and spawned (`COURSE_FORK_SERVER=0`, as"
            " before the fork server). PSS splits a shared page between its sharers; RSS summed"
            " counts it once per process, which overstates forked servers. Lesson 12's browser"
            " test (Chromium, a development tool a student's `make lab` lacks) is counted apart.",
            "",
            memory_table(data),
            "## Grading and install",
            "",
            grading,
            "",
            "A fresh clone's `make setup` (what `make lab` runs first):"
            f" {data.get('install_seconds')} s, `.venv` {data.get('venv_mb')} MB, of which"
            f" {data.get('venv_pycache_mb')} MB compiled bytecode. Largest packages (MB):"
            f" {largest}. pip's sources: {data.get('install_pip')}.",
            "",
            "## Soak",
            "",
            soak_table(data.get("soak", {})),
        ]
    )


def section(markdown: str) -> str:
    """The summary block of RESULTS.md, as README.md carries it."""
    return markdown.split(SUMMARY_START, 1)[1].split(SUMMARY_END, 1)[0].strip("\n") + "\n"


def readme_with(readme: str, block: str) -> str:
    before, rest = readme.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{block}{END}{after}"


def main() -> int:
    data = results.load()
    data["soak"] = results.load(results.SOAK)
    RESULTS_MD.write_text(render(data))
    README.write_text(readme_with(README.read_text(), section(RESULTS_MD.read_text())))
    print(f"wrote {RESULTS_MD.relative_to(REPO_ROOT)} and the README's section")
    return 0


if __name__ == "__main__":
    sys.exit(main())
