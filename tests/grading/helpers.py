"""What the grader's tests share: run `python -m course grade`, read its CSV, make notebooks."""

import csv
import subprocess
import sys
from pathlib import Path

import nbformat

from course._paths import REPO_ROOT
from course.checks import for_lesson
from course.grading.gradebook import HEADER

SOLUTIONS = sorted((REPO_ROOT / "solutions").glob("*.ipynb"))
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
