"""Every released exercise, untouched, as Run All runs it: top to bottom in a fresh kernel.

Nothing stops it (a cell that calls an unwritten answer is tagged raises-exception, and
nbclient, like JupyterLab's Run All, goes on past it), every check cell runs and shows its
card: 0 points, "not written yet", and where the hints are. Every cell that fails says
"Not written yet" below its traceback, and the error explainer names no pain point: an
unwritten answer is not a classic Channels error, even where it shows as a timeout (09) or
a lost connection (10). tests/browser/test_run_all_exercises.py does the same in Chromium.
"""

import re
from pathlib import Path

import nbformat
import pytest

from course.authoring import nbrun
from course.checking.cells import check_name
from course.checks import EXERCISES, hints
from course.explain import extension as explain
from course.explain.unwritten import HEADING
from tests.checks.helpers import LESSON01, RELEASED

pytestmark = pytest.mark.slow

PAIN_POINT = explain.HEADING.replace("{}", r"\d+")


def failed(cell) -> bool:
    return any(output.output_type == "error" for output in cell.get("outputs", []))


@pytest.mark.parametrize("path", RELEASED, ids=lambda p: p.stem)
def test_an_untouched_exercise_runs_to_the_end_and_every_check_says_not_written_yet(path: Path):
    run = nbrun.run(path)

    assert run.error is None, f"Run All would stop here:\n{run.error[-3000:]}"
    checked = []
    for number, cell in enumerate(run.nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        shown = run.cell_shows(number)
        assert cell.execution_count is not None, f"cell {number} never ran"
        assert not re.search(PAIN_POINT, shown), f"cell {number} names a pain point:\n{shown}"
        if (name := check_name(cell.source)) is not None:
            checked.append(name)
            most = EXERCISES[name].max_points
            assert f"{name}: 0/{most} points, not yet" in shown, shown
            assert "not written yet: write " in shown and f'hint("{name}")' in shown, shown
            assert not failed(cell), f"the check cell of {name} raised:\n{shown}"
        elif failed(cell):
            assert "raises-exception" in cell.metadata.get("tags", [])
            assert f"{HEADING} " in shown and 'Stuck? Run hint("' in shown, (
                f"cell {number} failed without saying its answer is not written yet:\n{shown}"
            )
    assert checked == [e.name for e in EXERCISES.values() if e.lesson == path.stem]


def test_hint_in_a_kernel_shows_the_next_hint_and_counts_it(tmp_path: Path):
    nb = nbformat.read(next(p for p in RELEASED if p.stem == LESSON01), as_version=4)
    asks = [
        'hint("greeting-app")',
        'hint("greeting-app")',
        "from course.checks import hints_used\nhints_used()",
    ]
    setup = next(i for i, c in enumerate(nb.cells) if "course.setup()" in c.source)
    nb.cells[setup + 1 : setup + 1] = [nbformat.v4.new_code_cell(ask) for ask in asks]
    nb.cells = nb.cells[: setup + 1 + len(asks)]
    path = tmp_path / f"{LESSON01}.ipynb"
    nbformat.write(nb, path)

    run = nbrun.run(path)

    assert run.error is None, run.error
    texts = hints.load()["greeting-app"]
    first, second, used = (setup + 2 + i for i in range(3))  # their numbers, counted from 1
    html = [
        o.data["text/html"]
        for o in run.nb.cells[first - 1].outputs
        if o.output_type == "display_data"
    ]
    assert len(html) == 1 and f"greeting-app · hint 1 of {len(texts)}" in html[0]
    assert run.cell_shows(second) == f"greeting-app · hint 2 of {len(texts)}: {texts[1]}"
    assert run.cell_shows(used) == "{'greeting-app': 2}"
