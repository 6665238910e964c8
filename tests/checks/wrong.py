"""Wrong answers a student would write, graded three ways: in-process, in a real kernel
through ``check()``, and in batch through ``python -m course grade``.

Each tests/checks/test_<lesson>.py lists its own in ``WRONG_ANSWERS``; a ``WrongAnswer``
is the source of the cell a student would have written in place of the solution's cell
that defines ``replaces``. tests/checks/test_wrong_answers.py grades every one of them:
it must lose points in its own exercise only, with a message that says ``says``.
"""

from __future__ import annotations

import importlib
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from course._paths import REPO_ROOT
from course.checks import EXERCISES
from tests.checks.helpers import cell_defining

TESTS = Path(__file__).parent
SCORE = re.compile(r"^(?P<exercise>[\w-]+): (?P<points>\d+)/(?P<most>\d+) points", re.M)


@dataclass(frozen=True)
class WrongAnswer:
    exercise: str  # the exercise it answers (a name in course.checks.EXERCISES)
    name: str  # what is wrong, in a few words: the test's id
    source: str  # the cell the student wrote
    replaces: str  # the function or class whose solution cell it stands in for
    says: str  # a fragment of the message that names the cause

    @property
    def id(self) -> str:
        return f"{self.exercise}:{self.name}"

    @property
    def lesson(self) -> str:
        return EXERCISES[self.exercise].lesson

    @property
    def notebook(self) -> Path:
        return REPO_ROOT / "solutions" / f"{self.lesson}.ipynb"

    @property
    def cell(self) -> str:
        return textwrap.dedent(self.source).strip() + "\n"

    def solution_cell(self) -> str:
        """The solution's cell this answer replaces (its markers left in: they are comments)."""
        return cell_defining(self.notebook, self.replaces)

    def submission(self) -> Any:
        """The solution notebook with this answer in place of its cell, as a student hands in."""
        nb = nbformat.read(self.notebook, as_version=4)
        original = self.solution_cell()
        cells = [c for c in nb.cells if c.cell_type == "code" and c.source == original]
        assert len(cells) == 1, f"{self.id}: {self.replaces} is defined in {len(cells)} cells"
        cells[0].source = self.cell
        return nb


def every_wrong_answer() -> list[WrongAnswer]:
    """The WRONG_ANSWERS of every tests/checks/test_<lesson>.py."""
    found: list[WrongAnswer] = []
    for path in sorted(TESTS.glob("test_*.py")):
        module = importlib.import_module(f"tests.checks.{path.stem}")
        found += getattr(module, "WRONG_ANSWERS", [])
    return found


def scores(text: str) -> dict[str, tuple[int, int]]:
    """Each exercise's points in a check() report's text (its headline)."""
    return {m["exercise"]: (int(m["points"]), int(m["most"])) for m in SCORE.finditer(text)}


def text_of(cell: Any) -> str:
    """What a cell showed: its text outputs and the plain text of what it displayed."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
        elif output.get("output_type") == "error":
            parts.append(f"{output.get('ename')}: {output.get('evalue')}")
    return "".join(parts)


def in_a_kernel(answers: list[WrongAnswer], timeout: float = 60) -> dict[str, str]:
    """Each answer's check() report, as a student sees it: one kernel per lesson runs the
    solution notebook, then for each answer its cell, ``check(...)``, and the solution's cell
    again (so the next answer starts from a right one)."""
    from tests.kernels import IpcNotebookClient as NotebookClient

    shown: dict[str, str] = {}
    for lesson in sorted({a.lesson for a in answers}):
        mine = [a for a in answers if a.lesson == lesson]
        nb = nbformat.read(mine[0].notebook, as_version=4)
        marks = []
        for answer in mine:
            nb.cells.append(nbformat.v4.new_code_cell(answer.cell))
            nb.cells.append(nbformat.v4.new_code_cell(f"check({answer.exercise!r})"))
            marks.append((answer, len(nb.cells) - 1))
            nb.cells.append(nbformat.v4.new_code_cell(answer.solution_cell()))
        client = NotebookClient(
            nb,
            timeout=timeout,
            startup_timeout=180,  # a kernel starts slowly on a loaded machine; that is no answer
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(mine[0].notebook.parent)}},
        )
        client.execute()
        for answer, at in marks:
            shown[answer.id] = text_of(nb.cells[at])
    return shown


def lost_in_a_kernel(answers: list[WrongAnswer]) -> list[str]:
    """What is wrong with the kernel's reports: one line per answer that got through."""
    problems = []
    shown = in_a_kernel(answers)
    for answer in answers:
        text = shown[answer.id]
        got, most = scores(text).get(answer.exercise, (None, None))
        if got is None or most is None:
            problems.append(f"{answer.id}: check() showed no score: {text[-600:]!r}")
        elif got >= most:
            problems.append(f"{answer.id}: full marks ({got}/{most}) for a wrong answer")
        elif answer.says not in text:
            problems.append(f"{answer.id}: {answer.says!r} is not in the report:\n{text}")
    return problems


def lost_in_batch(answers: list[WrongAnswer], folder: Path) -> list[str]:
    """The same answers as handed-in notebooks, through ``python -m course grade``: each loses
    points in its own exercise, with the message, and keeps every other exercise's."""
    from tests.checks.helpers import grade, points

    paths = {}
    for i, answer in enumerate(answers):
        path = folder / f"wrong-{i:02d}-{answer.lesson}.ipynb"
        nbformat.write(answer.submission(), path)
        paths[answer.id] = path
    rows = grade(list(paths.values()), folder / "grades.csv", "-j", "2", timeout=600)
    problems = []
    for answer in answers:
        mine = rows.get(str(paths[answer.id]), [])
        own = [r for r in mine if r["exercise"] == answer.exercise]
        others = [r for r in mine if r["exercise"] != answer.exercise]
        got, most = points(own)
        said = " | ".join(r["message"] for r in own)
        if not own:
            problems.append(f"{answer.id}: no rows for {answer.exercise}")
        elif got >= most:
            problems.append(f"{answer.id}: full marks ({got}/{most}) in batch")
        elif answer.says not in said:
            problems.append(f"{answer.id}: {answer.says!r} not in the batch messages: {said}")
        if others and points(others)[0] != points(others)[1]:
            lost = [
                f"{r['exercise']}/{r['check']}: {r['message']}"
                for r in others
                if r["points"] != r["max_points"]
            ]
            problems.append(f"{answer.id}: also lost points elsewhere: {lost}")
    return problems


def tests_for(answers: list[WrongAnswer]) -> tuple[Any, Any]:
    """The two tests a lesson's file gets for its WRONG_ANSWERS: in a kernel, and in batch."""
    import pytest

    @pytest.mark.slow
    def test_wrong_answers_lose_points_in_a_kernel() -> None:
        problems = lost_in_a_kernel(answers)
        assert not problems, "\n".join(problems)

    @pytest.mark.slow
    def test_wrong_answers_lose_points_in_batch(tmp_path: Path) -> None:
        problems = lost_in_batch(answers, tmp_path)
        assert not problems, "\n".join(problems)

    return test_wrong_answers_lose_points_in_a_kernel, test_wrong_answers_lose_points_in_batch


def in_process_test(answers: list[WrongAnswer]) -> Any:
    """The quick twin of the kernel and batch tests: each answer's cell run here, graded by
    grade(), losing points with its message."""
    import pytest

    from course.checks import grade
    from tests.checks.helpers import messages

    # A student's own call without await (self.accept()) warns as it would in the kernel;
    # here that warning is not the verdict, the report is.
    @pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
    @pytest.mark.parametrize("answer", answers, ids=lambda a: a.id)
    def test_each_wrong_answer_loses_points_and_is_told_why_in_process(
        answer: WrongAnswer,
    ) -> None:
        namespace: dict[str, Any] = {}
        exec(compile(answer.cell, answer.id, "exec"), namespace)

        report = grade(answer.exercise, namespace)

        assert not report.score.full, messages(report)
        assert answer.says in messages(report), messages(report)

    return test_each_wrong_answer_loses_points_and_is_told_why_in_process


tests_for.__test__ = False  # type: ignore[attr-defined]  # a factory of tests, not one
