"""What the grader's tests share: run `python -m course grade`, read its CSV, make notebooks."""

import csv
import subprocess
import sys
from pathlib import Path

import nbformat

from course._paths import REPO_ROOT
from course.authoring.regions import BEGIN, END, release_source
from course.authoring.release import release_notebook
from course.checks import for_lesson
from course.grading.gradebook import HEADER

SOLUTIONS_DIR = REPO_ROOT / "solutions"
SOLUTIONS = sorted(SOLUTIONS_DIR.glob("*.ipynb"))
RELEASED = sorted((REPO_ROOT / "exercises").glob("*.ipynb"))
LESSON01 = "01-asgi-in-one-function"
FULL01 = sum(e.max_points for e in for_lesson(LESSON01))


def grade(paths: list[Path], out: Path, *args: str, timeout: float = 240) -> dict[str, list[dict]]:
    """Run the grader; return the CSV's rows grouped by submission."""
    command = [sys.executable, "-m", "course", "grade", *map(str, paths), "--out", str(out), *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    with out.open(newline="") as file:
        reader = csv.DictReader(file)
        assert reader.fieldnames == HEADER
        rows = list(reader)
    by_submission: dict[str, list[dict]] = {}
    for row in rows:
        by_submission.setdefault(row["submission"], []).append(row)
    by_submission["__stdout__"] = [{"text": done.stdout}]
    return by_submission


def points(rows: list[dict]) -> tuple[int, int]:
    return sum(int(r["points"]) for r in rows), sum(int(r["max_points"]) for r in rows)


def notebook_with(*cells: str, replace: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """Lesson 01's solution with cells added after the setup cell, answers optionally replaced."""
    nb = nbformat.read(REPO_ROOT / "solutions" / f"{LESSON01}.ipynb", as_version=4)
    for cell in nb.cells:
        for old, new in (replace or {}).items():
            if cell.cell_type == "code" and old in cell.source:
                cell.source = new
    setup = next(i for i, c in enumerate(nb.cells) if "course.setup()" in c.source)
    for offset, source in enumerate(cells, start=1):
        nb.cells.insert(setup + offset, nbformat.v4.new_code_cell(source))
    return nb


# ---- one exercise's answer, straight from its notebook (no kernel) --------------------------

MARKERS = (BEGIN, END)


def cell_defining(notebook: Path, name: str) -> str:
    """The source of the notebook's one code cell that defines ``name`` (a function or class)."""
    nb = nbformat.read(notebook, as_version=4)
    cells = [
        c.source
        for c in nb.cells
        if c.cell_type == "code"
        and any(
            f"{kind} {name}(" in c.source or f"{kind} {name}:" in c.source
            for kind in ("def", "class")
        )
        and "check(" not in c.source
    ]
    assert len(cells) == 1, f"expected one cell defining {name}, found {len(cells)}"
    return cells[0]


def solution_namespace(notebook: Path, name: str) -> dict:
    """The namespace the solution cell defining ``name`` leaves behind (markers dropped)."""
    src = "\n".join(
        line
        for line in cell_defining(notebook, name).split("\n")
        if not line.strip().startswith(MARKERS)
    )
    namespace: dict = {}
    exec(compile(src, str(notebook), "exec"), namespace)
    return namespace


def stub_namespace(notebook: Path, name: str) -> dict:
    """The namespace the released exercise cell defining ``name`` leaves behind (the cell as
    release makes it from the whole notebook, each stub naming its exercise)."""
    source = cell_defining(notebook, name)
    nb = nbformat.read(notebook, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source == source)
    released = release_notebook(nb, notebook.stem).cells[at].source
    namespace: dict = {}
    exec(compile(released, "<stub>", "exec"), namespace)
    return namespace


def regions(source: str) -> int:
    """How many solution regions a cell holds."""
    return sum(line.strip() == BEGIN for line in source.split("\n"))


def one_stub(source: str, keep: int, exercise: str) -> str:
    """*source* with its region number *keep* (from 0) released as a stub, the others solved
    (their markers dropped, their code kept)."""
    lines, region = [], -1
    for line in source.split("\n"):
        if line.strip() == BEGIN:
            region += 1
        if line.strip() not in MARKERS or region == keep:
            lines.append(line)
    return release_source("\n".join(lines), "test", exercise)


def failing(report) -> dict[str, str]:
    """The checks a report failed, in order, each with its message."""
    return {r.check: r.message for r in report.results if not r.passed}


def messages(report) -> str:
    return "\n".join(r.message for r in report.results)


def status_of(report, check: str) -> str:
    return next(r.status for r in report.results if r.check == check)


def message_of(report, check: str) -> str:
    return next(r.message for r in report.results if r.check == check)


# ---- the two tests every exercise gets: the model answer, and the released stub -----------


def assert_full_marks(report, points: int, *, checks: list[str] | None = None) -> None:
    """Every check passed (in this order, given *checks*), *points* in all.

    How long the checks take is measured by `make bench` (`check_ms_*`), not asserted here.
    """
    if checks is not None:
        ran = [r.check for r in report.results]
        assert ran == checks, f"the checks ran in the order {ran}, not {checks}"
    assert [r.status for r in report.results] == ["passed"] * len(report.results), messages(report)
    score = report.score
    assert score.full and score.points == score.max_points == points, f"{score!r}, not {points}"


def assert_not_written_yet(report, *said: str, within: float | None = None) -> None:
    """No points, and every check says the answer is not written yet, with each of *said*,
    and where the exercise's hints are (never a hint itself: hints come on request)."""
    assert report.score.points == 0, f"the stub got {report.score!r}:\n{messages(report)}"
    for r in report.results:
        assert r.status == "failed", messages(report)
        assert r.message.startswith("not written yet: write "), r.message
        for fragment in (*said, f'Stuck? Run hint("{report.exercise}").'):
            assert fragment in r.message, f"{fragment!r} is not in {r.message!r}"
        if within is not None:
            assert r.seconds < within, (r.check, r.seconds)
