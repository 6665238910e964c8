"""The workshop guide's figures and schedules, generated, never hand-kept.

    python -m course guide [--check]      rewrites the generated blocks of docs/workshop-guide.md

The guide is written by hand except between ``<!-- guide:NAME -->`` and ``<!-- /guide:NAME -->``:
``timings`` (each lesson's **Minutes:** and bench/results.json's run times), ``one-day`` and
``half-day`` (schedules built from those minutes), ``students`` (the figures of
``make students``), ``hub`` (the figures of ``make students HUB=1``, a class through a real
``make hub``) and ``faq`` (a question per classic pain point, answered in one line: its
record in course/explain/painpoints.toml, and links to the lesson cells tagged ``pain-N``).
``--check`` exits 1 when a block is out of date (``make test`` runs it); a schedule that puts a
lesson before its prerequisites is an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from course._paths import REPO_ROOT
from course.authoring.generated import write_or_check
from course.explain import catalog as painpoints
from course.lessons import Lesson, lessons

DOC = REPO_ROOT / "docs" / "workshop-guide.md"
RESULTS = REPO_ROOT / "bench" / "results.json"
BLOCK = re.compile(r"(<!-- guide:([a-z-]+) -->\n).*?(<!-- /guide:\2 -->)", re.S)


@dataclass(frozen=True)
class Plan:
    start: str  # "09:00"
    sessions: tuple[tuple[str, ...], ...]  # lesson numbers, a break between two sessions
    breaks: tuple[tuple[str, int], ...]  # (what, minutes), one fewer than sessions


PLANS = {
    "one-day": Plan(
        "09:00",
        (("00", "01", "02"), ("03", "04"), ("05", "06", "07"), ("08", "10", "13")),
        (("Break", 15), ("Lunch", 60), ("Break", 15)),
    ),
    "half-day": Plan("09:00", (("00", "01", "02"), ("03", "04", "05")), (("Break", 15),)),
}


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def schedule(plan: Plan, known: dict[str, Lesson]) -> str:
    """A timed table for *plan*; the lessons it leaves out are listed as self-study."""
    hours, mins = plan.start.split(":")
    now = int(hours) * 60 + int(mins)
    rows = ["| Starts | What | Minutes |", "|---|---|---|"]
    done: list[str] = []
    pauses = [*plan.breaks, ("", 0)]
    for session, (pause, length) in zip(plan.sessions, pauses, strict=True):
        for number in session:
            lesson = known[number]
            if missing := [n for n in lesson.prerequisites if n not in done]:
                raise ValueError(f"{lesson.title} comes before its prerequisites {missing}")
            rows.append(f"| {_clock(now)} | {lesson.link()} | {lesson.minutes} |")
            now, done = now + lesson.minutes, [*done, number]
        if pause:
            rows.append(f"| {_clock(now)} | *{pause}* | {length} |")
            now += length
    rows.append(f"| {_clock(now)} | *End* | |")
    later = [lesson for number, lesson in known.items() if number not in done]
    if later:
        total = sum(lesson.minutes for lesson in later)
        links = ", ".join(lesson.link() for lesson in later)
        rows += ["", f"Self-study afterwards ({total} min): {links}"]
    return "\n".join(rows)


def timings(known: dict[str, Lesson], results: dict[str, Any]) -> str:
    """Minutes to study (the lessons') against seconds to run (``make bench``)."""
    measured = results.get("lessons", {})
    runs = {name: figures["seconds"] for name, figures in measured.items()}
    rows = [
        "| Lesson | Minutes to study | Runs alone (s) | Slowest cell (s) | Waits on purpose (s) |",
        "|---|---|---|---|---|",
    ]
    for lesson in known.values():
        figures = measured.get(lesson.path.stem, {})
        run, slowest = figures.get("seconds", "—"), figures.get("slowest_cell") or ["", "—"]
        waits = figures.get("on_purpose_seconds", "—")
        rows.append(f"| {lesson.link()} | {lesson.minutes} | {run} | {slowest[1]} | {waits} |")
    total = sum(lesson.minutes for lesson in known.values())
    rows.append(
        f"| **All {len(known)}** | **{total}** ({total // 60} h {total % 60:02d}) | "
        f"**{round(sum(runs.values()), 1)}** | | |"
    )
    return "\n".join(rows)


def students(results: dict[str, Any]) -> str:
    """The figures of ``make students`` (bench/students.py), in sentences."""
    s = results.get("students")
    if not s:
        return "*Not measured yet: run `make students`.*"
    lines = [
        f"- **{s['students']} students at once on {s['cpus']} cores**, each working through all "
        f"{s['notebooks_each']} notebooks (every lesson, then its solutions) in fresh kernels: "
        f"{s['passed']} notebooks passed, {s['failed']} failed.",
        f"- **Time:** one student alone took {s['alone_seconds']} s of running cells; together, "
        f"each took {s['student_seconds_median']} s (median, {s['slowdown']}× alone; slowest "
        f"{s['student_seconds_max']} s), and the whole class was done in {s['wall_seconds']} s. "
        f"Kernels started again after missing the 60 s start-up wait: "
        f"{s.get('kernel_slow_starts', 0)}.",
        f"- **Memory** (PSS, which splits each shared page between the processes sharing it): "
        f"{s['peak_pss_mb']} MB at the peak for all of them; one student alone, "
        f"{s['peak_pss_mb_alone']} MB; the most one student's processes held together, "
        f"{s['peak_pss_mb_one_student']} MB. Summing RSS instead, which counts shared pages once "
        f"per process, gives {s['peak_rss_mb_summed']} MB.",
        f"- **Ports:** {s['ports_listened']} listening sockets over the run ("
        + ", ".join(f"{kind}: {count}" for kind, count in s["ports_by_kind"].items())
        + f"); {s['port_clashes']} held by two students at once.",
        f"- **Redis:** with a Redis per kernel, {s['redis_per_student']['isolated']} of "
        f"{s['redis_per_student']['probes']} probes heard only their own messages on a group "
        f"every probe joined, and {s['redis_per_student']['refused']} of "
        f"{s['redis_per_student']['knocks']} knocks on another student's Redis were refused; "
        f"on one shared Redis with a prefix each, {s['shared_redis']['isolated']} of "
        f"{s['shared_redis']['probes']} heard only themselves.",
        sizing(s["peak_pss_mb_one_student"], s["peak_pss_mb_alone"]),
    ]
    return "\n".join(lines)


def sizing(per_student: int, alone: int, limit: int = 1024, class_size: int = 30) -> str:
    """How much memory a host needs, from the measured peak of one student's processes."""
    fits = "within" if alone <= 2048 else "over"
    binder = "within" if alone <= 450 else "over"
    per_student = max(per_student, alone)
    if per_student * 5 // 4 <= limit:
        advice = f"the 1 GB limit per user suggested above leaves {limit - per_student} MB spare"
    else:
        advice = f"raise the 1 GB limit suggested above to at least {per_student * 5 // 4} MB"
    return (
        f"- **Sizing:** budget {per_student} MB per student working at once; {advice}. "
        f"TLJH's rule gives {class_size} × {per_student} + 128 = "
        f"{class_size * per_student + 128} MB for {class_size} students at once. One student "
        f"alone ({alone} MB) is {fits} the 2 GB mybinder.org allows ({binder} its 450 MB "
        "guarantee)."
    )


def hub(results: dict[str, Any]) -> str:
    """The figures of ``make students HUB=1`` (hub/students.py), in sentences."""
    h = results.get("students_hub")
    if not h:
        return "*Not measured yet: run `make students HUB=1`.*"
    failed = len(h["failed"])
    per_student = h["peak_pss_mb_one_student"]
    # Later lessons hold more (lesson 08: a Redis and two daphnes): the whole course's peak.
    budget = max(per_student, results.get("students", {}).get("peak_pss_mb_one_student", 0))
    return "\n".join(
        [
            f"- **{h['students']} students at once through `make hub` on {h['cpus']} cores**, "
            f"each running lessons {', '.join(h['lessons'])} and their solutions "
            f"({h['notebooks_each']} notebooks) in their own JupyterLab's kernels: "
            f"{h['passed']} notebooks passed, {failed} failed; the class board received "
            f"{h['board_reports']} check() results.",
            f"- **Time:** the hub was up in {h['hub_start_seconds']} s; the slowest student's "
            f"server was ready {h['spawn_seconds_max']} s after the class started and done in "
            f"{h['student_seconds_max']} s; Ctrl-C stopped everything in "
            f"{h['hub_stop_seconds']} s.",
            f"- **Memory** (PSS): {h['peak_pss_mb']} MB at the peak for the class; the most one "
            f"student's processes (server, kernels, daphnes) held together, {per_student} MB. "
            f"With the whole course's peak per student ({budget} MB, above), plus about 300 MB "
            f"for the hub, its proxy, the board and the culler, a rented machine for 30 "
            f"students working at once needs {(30 * budget + 300) // 1024 + 1} GB or more, "
            f"and a core for every 4 students.",
        ]
    )


def faq(found: dict[int, list[painpoints.Place]]) -> str:
    """The FAQ in Markdown: a bullet per pain point, its answer and where it is shown."""
    lines = []
    for point in painpoints.PAIN_POINTS:
        where = " · ".join(place.link() for place in found.get(point.number, [])) or "—"
        lines.append(f"- **{point.title}** (you see `{point.seen}`). {point.answer} → {where}")
    return "\n".join(lines)


def _blocks() -> dict[str, Callable[[], str]]:
    known = lessons()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    return {
        "timings": lambda: timings(known, results),
        "one-day": lambda: schedule(PLANS["one-day"], known),
        "half-day": lambda: schedule(PLANS["half-day"], known),
        "students": lambda: students(results),
        "hub": lambda: hub(results),
        "faq": lambda: faq(painpoints.places()),
    }


def render(text: str) -> str:
    """*text* with every generated block rewritten; an unknown block name is an error."""
    blocks = _blocks()
    return BLOCK.sub(lambda m: f"{m.group(1)}{blocks[m.group(2)]()}\n{m.group(3)}", text)


def main(argv: list[str]) -> int:
    return write_or_check(DOC, render(DOC.read_text()), argv, "python -m course guide")
