"""`python -m course grade`, for real: fresh kernels, the CSV, feedback files, both ways."""

import json
from pathlib import Path

import nbformat
import pytest

from course._paths import REPO_ROOT
from course.checks import EXERCISES
from course.grading.gradebook import HEADER
from tests.checks.helpers import (
    FULL01,
    LESSON01,
    RELEASED,
    SOLUTIONS,
    grade,
    notebook_with,
    points,
)


def test_header_is_exactly_what_gradebooks_import() -> None:
    assert ",".join(HEADER) == (
        "submission,exercise,check,points,max_points,status,hints_used,message"
    )


def test_the_hints_a_notebook_asked_for_are_counted_per_exercise(tmp_path: Path) -> None:
    path = tmp_path / f"hinted-{LESSON01}.ipynb"
    asked = 'from course import hint\nhint("greeting-app")\nhint("greeting-app")'
    nbformat.write(notebook_with(asked), path)
    rows = grade([path], tmp_path / "g.csv")
    used = {(r["exercise"], r["hints_used"]) for r in rows[str(path)]}
    assert ("greeting-app", "2") in used and len(used) > 1, used
    assert {n for e, n in used if e != "greeting-app"} == {"0"}, used
    assert points(rows[str(path)]) == (FULL01, FULL01)


def test_solutions_score_full_marks_and_released_exercises_zero(tmp_path: Path) -> None:
    assert SOLUTIONS and [p.name for p in SOLUTIONS] == [p.name for p in RELEASED]
    out = tmp_path / "grades.csv"
    rows = grade([*SOLUTIONS, *RELEASED], out, "-j", "2")
    for path in SOLUTIONS:
        got, most = points(rows[str(path)])
        assert got == most > 0, rows[str(path)]
        assert {r["status"] for r in rows[str(path)]} == {"passed"}
    for path in RELEASED:
        got, most = points(rows[str(path)])
        assert (got, most > 0) == (0, True), rows[str(path)]
        assert all("not written yet" in r["message"] for r in rows[str(path)])
    lesson_checks = {c.name for e in EXERCISES.values() for c in e}
    assert {r["check"] for r in rows[str(SOLUTIONS[0])]} <= lesson_checks
    feedback = tmp_path / "grades-feedback"
    assert len(list(feedback.glob("*.md"))) == len(SOLUTIONS) + len(RELEASED)
    text = next(feedback.glob("*exercises__01*.md")).read_text()
    assert "**Score: 0/" in text and "not written yet" in text and "(same as above)" in text
    assert "submissions in" in rows["__stdout__"][0]["text"]


def test_a_deleted_check_cell_is_still_graded(tmp_path: Path) -> None:
    nb = json.loads((REPO_ROOT / "solutions" / f"{LESSON01}.ipynb").read_text())
    nb["cells"] = [c for c in nb["cells"] if "check(" not in "".join(c["source"])]
    path = tmp_path / "no-checks.ipynb"
    path.write_text(json.dumps(nb))
    rows = grade([path], tmp_path / "g.csv", "--lesson", "01")
    assert points(rows[str(path)]) == (FULL01, FULL01)


@pytest.mark.parametrize("wrong", ["body-first", "more-body"])
def test_wrong_answers_through_the_grader(tmp_path: Path, wrong: str) -> None:
    start = '{"type": "http.response.start", "status": 200, "headers": []}'
    first = '{"type": "http.response.body", "body": b"Hello, Ada!"}'
    sends = {
        "body-first": [first, start],
        "more-body": [start, first[:-1] + ', "more_body": True}'],
    }[wrong]
    body = "\n".join(f"    await send({s})" for s in sends)
    app = f"async def greeting_app(scope, receive, send):\n{body}\n"
    path = tmp_path / f"{wrong}-{LESSON01}.ipynb"
    nbformat.write(notebook_with(replace={"async def greeting_app": app}), path)
    rows = grade([path], tmp_path / "g.csv")
    greeting = [r for r in rows[str(path)] if r["exercise"] == "greeting-app"]
    expected = {"body-first": "before http.response.start", "more-body": "never finished"}[wrong]
    assert points(greeting)[0] == 0
    assert expected in greeting[0]["message"]
