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
from course._paths import REPO_ROOT

RESULTS_MD = results.BENCH / "RESULTS.md"
README = REPO_ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"  # in README.md
SUMMARY_START, SUMMARY_END = "<!-- summary:start -->", "<!-- summary:end -->"  # in RESULTS.md
RATIO_MAX = 4  # the goal for every lesson's run-all ÷ floor


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


def ratios(data: dict[str, Any]) -> list[float]:
    return [lesson["ratio"] for lesson in data["lessons"].values()]


def worst_lesson(data: dict[str, Any]) -> str:
    name, _ = max(data["lessons"].items(), key=lambda item: item[1]["ratio"])
    return str(name[:2])


GOALS = [
    Goal("lesson run-all ÷ floor, median lesson", lambda d: statistics.median(ratios(d)), 2.5, "×"),
    Goal(
        "lesson run-all ÷ floor, slowest lesson",
        lambda d: max(ratios(d)),
        RATIO_MAX,
        "×",
        worst_lesson,
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
        "peak memory, heaviest lesson (RSS)",
        lambda d: d["peak_rss_mb"],
        300,
        " MB",
        lambda d: d["peak_rss_lesson"][:2],
    ),
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
BENCH_SCRIPTS = ("lessons", "course", "grading", "memory", "install")


def _when(data: dict[str, Any]) -> str:
    """When `make bench` last wrote: the newest stamp of its own scripts."""
    measured = data.get("measured", {})
    stamps = sorted(measured[s] for s in BENCH_SCRIPTS if s in measured)
    return stamps[-1] if stamps else "not yet"


def lessons_table(data: dict[str, Any]) -> str:
    rows = [
        "| Lesson | Run all | Floor | Ratio | Process starts | Slowest cells (cell: seconds) |",
        "|---|---|---|---|---|---|",
    ]
    for name, got in sorted(data.get("lessons", {}).items()):
        cells = ", ".join(f"{n}: {s:g}" for n, s, _ in got.get("slowest_cells", [])[:3])
        mark = " ✗" if got["ratio"] > RATIO_MAX else ""
        figures = f"{got['seconds']:g} s | {got['floor_seconds']:g} s | {got['ratio']:g}×{mark}"
        starts = got.get("process_starts", "?")
        rows.append(f"| {name} | {figures} | {starts} | {cells} |")
    return "\n".join(rows) + "\n"


def memory_table(data: dict[str, Any]) -> str:
    rows = ["| Lesson | RSS | PSS | Browser (RSS) |", "|---|---|---|---|"]
    for name, got in sorted(data.get("memory_by_lesson", {}).items()):
        browser = f"{got['browser_rss_mb']:g} MB" if got["browser_rss_mb"] else "–"
        rows.append(f"| {name} | {got['rss_mb']:g} MB | {got['pss_mb']:g} MB | {browser} |")
    at_peak = ", ".join(f"{name} {mb:g}" for name, mb in data.get("peak_rss_processes", []))
    return (
        "\n".join(rows) + f"\n\nAt the peak ({data.get('peak_rss_lesson', '?')}), MB: {at_peak}.\n"
    )


def soak_table(soak: dict[str, Any]) -> str:
    if not soak:
        return "Not run yet: `make soak`.\n"
    rows = [
        "| Notebook | Failed runs | Median run | Starts | Killed mid-run: left over |",
        "|---|---|---|---|---|",
    ]
    for name, got in sorted(soak["notebooks"].items()):
        killed = soak["killed"].get(name)
        left = "–" if killed is None else str(killed["leftover"])
        rows.append(
            f"| {name} | {got['failures']}/{got['runs']} | {got['median_seconds']:g} s"
            f" | {', '.join(got['children']) or '–'} | {left} |"
        )
    errors = [f"- {name}: {e}" for name, got in soak["notebooks"].items() for e in got["errors"]]
    return "\n".join(rows) + "\n" + ("\nFailures:\n\n" + "\n".join(errors) + "\n" if errors else "")


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
            "## Lessons",
            "",
            "Each lesson run top to bottom in a fresh kernel, median of 3, against its floor:"
            " a fresh kernel running only the lesson's setup cell"
            " (`import course; course.setup()`). Process starts: the calls in its cells that start"
            " a daphne, uvicorn, Redis, a worker or pytest; one `course.serve()` of the demo takes"
            f" {data.get('server_start_seconds', '?')} s on its own.",
            "",
            lessons_table(data),
            "## Memory",
            "",
            "Kernel plus every process it started, sampled every 50 ms. Lesson 11's browser test"
            " (Chromium, a development tool a student's `make lab` lacks) is counted apart.",
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
