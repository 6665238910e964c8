"""Grade a class in one command: a CSV for the gradebook, a feedback file per student.

    python -m course grade SUBMISSION.ipynb... --out grades.csv [-j N] [--timeout S]

One row per check: ``submission,exercise,check,points,max_points,status,hints_used,message``
(``hints_used``: how many of that exercise's hints the notebook showed with ``hint()``). The
feedback files go next to the CSV, in ``<csv name>-feedback/``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import sys
import time
from pathlib import Path
from typing import TextIO

from course.checking.report import MARKS, Report
from course.grading.kernel import Supply
from course.grading.submission import Graded, Options, grade_submission
from course.grading.trusted import bundle

HEADER = [
    "submission",
    "exercise",
    "check",
    "points",
    "max_points",
    "status",
    "hints_used",  # how many hint("...") of that exercise the notebook showed
    "message",
]


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m course grade", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("submissions", nargs="+", type=Path, metavar="SUBMISSION.ipynb")
    parser.add_argument("--out", type=Path, default=Path("grades.csv"), help="the CSV to write")
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="submissions graded at once (default: one per core)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=Options.timeout,
        help="seconds a cell may run (default %(default)s)",
    )
    parser.add_argument(
        "--memory-mb",
        type=int,
        default=Options.memory_mb,
        help="memory cap of each kernel (default %(default)s)",
    )
    parser.add_argument("--lesson", help="grade every submission as this lesson, e.g. 01")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    bundle()  # read and compile the toolkit now, before any student's code runs
    options = Options(timeout=args.timeout, memory_mb=args.memory_mb)
    started = time.perf_counter()
    graded = asyncio.run(grade_all(args.submissions, options, max(1, args.jobs), args.lesson))
    seconds = time.perf_counter() - started
    write_csv(graded, args.out)
    folder = write_feedback(graded, args.out)
    summary(graded, seconds, args.jobs, sys.stdout)
    print(f"wrote {args.out} ({sum(len(g.results) for g in graded)} rows) and {folder}/")
    return 0


async def grade_all(
    paths: list[Path], options: Options, jobs: int, lesson: str | None
) -> list[Graded]:
    gate = asyncio.Semaphore(jobs)
    progress = Progress(len(paths), sys.stderr)

    async def one(path: Path) -> Graded:
        await gate.acquire()
        released = False

        def release() -> None:  # as soon as the results are in: shutting down needs no slot
            nonlocal released
            if not released:
                released = True
                gate.release()

        try:
            graded = await grade_submission(path, options, lesson, release, supply)
        except Exception as error:  # the grader's own failure must not lose the student
            graded = Graded(str(path), None)
            graded.notes.append(f"the grader failed on this submission: {error!r}")
        finally:
            release()
        progress.done(graded)
        return graded

    supply = Supply(options.memory_mb, options.max_output)
    try:
        return list(await asyncio.gather(*(one(p) for p in paths)))
    finally:
        await supply.close()


class Progress:
    """``[########------] 8/14 alice.ipynb 10/10`` on a terminal; one line each elsewhere."""

    def __init__(self, total: int, out: TextIO) -> None:
        self.total, self.count, self.out = total, 0, out
        self.tty = out.isatty()

    def done(self, graded: Graded) -> None:
        self.count += 1
        score = f"{graded.points}/{graded.max_points}"
        if self.tty:
            bar = "#" * (20 * self.count // self.total)
            end = "\n" if self.count == self.total else ""
            self.out.write(
                f"\r[{bar:<20}] {self.count}/{self.total} {graded.submission} {score}\033[K{end}"
            )
        else:
            self.out.write(
                f"[{self.count}/{self.total}] {graded.submission} {score} "
                f"({graded.seconds:.1f} s)\n"
            )
        self.out.flush()


def write_csv(graded: list[Graded], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for g in graded:
            for r in g.results:
                hints = g.hints.get(r.exercise, 0)
                row = [g.submission, r.exercise, r.check, r.points, r.max_points, r.status]
                writer.writerow([*row, hints, r.message])


def feedback_name(submission: str) -> str:
    return submission.strip("./").replace("/", "__").removesuffix(".ipynb") + ".md"


def write_feedback(graded: list[Graded], out: Path) -> Path:
    folder = out.with_name(f"{out.stem}-feedback")
    folder.mkdir(parents=True, exist_ok=True)
    for g in graded:
        lines = [f"# {g.submission}", "", f"**Score: {g.points}/{g.max_points}**"]
        for exercise in dict.fromkeys(r.exercise for r in g.results):
            report = Report(exercise, [r for r in g.results if r.exercise == exercise])
            lines += ["", f"## {exercise or 'submission'}: {report.score!r}", ""]
            for r, message in zip(report.results, report.messages(), strict=True):
                lines.append(f"- {MARKS[r.status]} {r.title or r.status}")
                lines += [f"  - {message}"] if message else []
        if g.notes:
            lines += ["", "## While running your notebook", ""] + [f"- {n}" for n in g.notes]
        (folder / feedback_name(g.submission)).write_text("\n".join(lines) + "\n")
    return folder


def summary(graded: list[Graded], seconds: float, jobs: int, out: TextIO) -> None:
    width = max([len(g.submission) for g in graded] + [10])
    out.write(f"\n{'submission':<{width}}  {'points':>9}  notes\n")
    for g in graded:
        score = f"{g.points}/{g.max_points}"
        notes = "; ".join(g.notes)[:90] or "ok"
        out.write(f"{g.submission:<{width}}  {score:>9}  {notes}\n")
    each = seconds / max(1, len(graded))
    out.write(f"\n{len(graded)} submissions in {seconds:.1f} s ({each:.2f} s each, -j {jobs})\n")
