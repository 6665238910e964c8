"""The detail tables of bench/RESULTS.md, one function each (bench/report.py assembles them)."""

from __future__ import annotations

from typing import Any

CELL_MAX = 1.0  # seconds: the goal for every cell a student runs, but slow-on-purpose ones


def lessons_table(data: dict[str, Any]) -> str:
    rows = [
        "| Lesson | Run all | Slowest cell (not on purpose) | Cells over 1 s | On purpose"
        " | Server starts | Median start |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, got in sorted(data.get("lessons", {}).items()):
        cell = got.get("slowest_cell")
        slowest = "–" if not cell else f"{cell[0]}: {cell[1]:g} s `{cell[2][:40]}`"
        if cell and cell[1] > CELL_MAX:
            slowest += " ✗"
        over = ", ".join(str(n) for n, _, _ in got.get("over_a_second", [])) or "–"
        median = got.get("server_start_median")
        starts = got.get("server_starts", "?")
        kinds = f" ({', '.join(got['server_kinds'])})" if got.get("server_kinds") else ""
        rows.append(
            f"| {name} | {got['seconds']:g} s | {slowest} | {over}"
            f" | {got.get('on_purpose_seconds', 0):g} s | {starts}{kinds}"
            f" | {'–' if median is None else f'{median:g} s'} |"
        )
    return "\n".join(rows) + "\n"


def servers_table(data: dict[str, Any]) -> str:
    start, pss = data.get("server_start"), data.get("servers_pss")
    if not start or not pss:
        return "Not measured yet: `python -m bench.servers`.\n"
    held = ", ".join(f"{name} {mb:g}" for name, mb in pss["forked_processes"])
    return "\n".join(
        [
            "| | Spawned (before the fork server) | Forked |",
            "|---|---|---|",
            f"| `course.serve()` until it answers | {start['spawned']:g} s"
            f" ({start['spawned_ratio']:g}×)"
            f" | {start['forked']:g} s ({start['forked_ratio']:g}×) |",
            f"| a kernel's first `course.serve()` | {start['spawned']:g} s"
            f" | {start['first']:g} s ({start['first_ratio']:g}×, boots the fork server) |",
            f"| PSS of two daphnes and a Redis | {pss['spawned_mb']:g} MB"
            f" | {pss['forked_mb']:g} MB (with the fork server) |",
            f"| PSS of one daphne | {pss.get('one_daphne_spawned_mb', '?')} MB"
            f" | {pss.get('one_daphne_forked_mb', '?')} MB (with the fork server) |",
            "",
            f"× is against `python -c pass`, {start['python']:g} s in the same run. Forked,"
            f" the PSS was held by (MB): {held}.",
            *_copied(pss),
            "",
        ]
    )


def _copied(pss: dict[str, Any]) -> list[str]:
    if "copied_by_both_mb" not in pss:
        return []
    steps = pss.get("copied_by_step", {})
    before = sum(steps.values())
    by_step = (
        " Becoming a daphne, before it serves, a child copies "
        + ", ".join(f"{mb:g} MB for `{name}`" for name, mb in steps.items())
        + f" ({before:.1f} MB, `python -m bench.copies`); serving copies the other"
        f" {pss['copied_by_both_mb'] - before:.1f} MB."
        if steps
        else ""
    )
    return [
        "",
        f"Why forked is no smaller: {pss['copied_by_both_mb']:g} MB of the fork server's pages"
        " were written to by both daphnes, and so copied by each (CPython 3.11 writes an"
        " object's reference count, and a function's warm-up counters, wherever it is used;"
        " `gc.freeze()` in the fork server spares only the collector's writes). Had no page"
        f" been copied, the three would hold {pss['no_copy_floor_mb']:g} MB. A daphne alone,"
        f" spawned, holds {pss.get('one_daphne_spawned_mb', '?')} MB: the libraries it needs"
        " are about as much as the 60 MB goal for all three, which a process per server cannot"
        " meet on this Python." + by_step,
    ]


def memory_table(data: dict[str, Any]) -> str:
    rows = [
        "| Lesson | PSS | PSS, servers spawned | RSS summed | Browser (RSS) |",
        "|---|---|---|---|---|",
    ]
    for name, got in sorted(data.get("memory_by_lesson", {}).items()):
        browser = f"{got['browser_rss_mb']:g} MB" if got["browser_rss_mb"] else "–"
        spawned = got.get("pss_mb_spawned")
        rows.append(
            f"| {name} | {got['pss_mb']:g} MB | {'–' if spawned is None else f'{spawned:g} MB'}"
            f" | {got['rss_mb']:g} MB | {browser} |"
        )
    at_peak = ", ".join(f"{name} {mb:g}" for name, mb in data.get("peak_pss_processes", []))
    lesson = data.get("peak_pss_lesson", "?")
    return "\n".join(rows) + f"\n\nAt the PSS peak ({lesson}), MB: {at_peak}.\n"


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
