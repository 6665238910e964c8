"""Run → Run All Cells on a released exercise, untouched, in JupyterLab: every check cell shows
its card.

Before a student writes anything, the "try it" cells call stubs and fail; release tags them
raises-exception (course/authoring/release.py), so Run All goes on past them to every check
cell, which shows 0 points and "not written yet", with where the hints are. Below every cell
that failed, the error explainer says "Not written yet" and names no pain point. Lesson 01 has
two exercises; 06 has four stubs in one consumer; 11's bot dies of its stub inside a server
task, so the cell that talks to it fails with a lost connection, not a NotImplementedError.
tests/checks/test_released_notebooks.py runs every exercise this way with nbclient.
"""

import json
import re

import pytest
from playwright.sync_api import Browser

from course._paths import REPO_ROOT
from course.checking.cells import check_name
from course.checks import EXERCISES
from course.explain import extension as explain
from course.explain.unwritten import HEADING
from tests.browser.lab_page import OPEN_CODE_CELLS, open_in_lab, run_all_cells

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RELEASED = [
    "01-asgi-in-one-function",
    "06-channel-layers-and-groups",
    "11-beyond-http-a-custom-protocol",
]
PAIN_POINT = explain.HEADING.replace("{}", r"\d+")


@pytest.mark.parametrize("lesson", RELEASED)
def test_run_all_on_an_untouched_exercise_shows_every_check_card(
    browser: Browser, lab: str, lesson: str
) -> None:
    path = f"exercises/{lesson}.ipynb"
    code = [
        c for c in json.loads((REPO_ROOT / path).read_text())["cells"] if c["cell_type"] == "code"
    ]
    sources = ["".join(c["source"]) for c in code]
    tagged = [i for i, c in enumerate(code) if "raises-exception" in c["metadata"].get("tags", [])]
    checks = {i: name for i, src in enumerate(sources) if (name := check_name(src)) is not None}
    assert list(checks.values()) == [e.name for e in EXERCISES.values() if e.lesson == lesson]

    with open_in_lab(browser, lab, path) as page:
        failed = run_all_cells(page, seconds=120)  # fails unless every code cell ran
        cells = page.locator(OPEN_CODE_CELLS)
        shown = [
            cells.nth(i).locator(".jp-OutputArea").text_content() or "" for i in range(len(code))
        ]

    assert failed, "no try-it cell failed: are the stubs still stubs?"
    assert set(failed) <= set(tagged), f"errors in code cells {failed}; tagged: {tagged}"
    for i in failed:
        assert HEADING in shown[i] and 'Stuck? Run hint("' in shown[i], (i, shown[i])
    for i, name in checks.items():
        most = EXERCISES[name].max_points
        assert f"{name}: 0/{most} points, not yet" in shown[i], (name, shown[i])
        assert "not written yet: write " in shown[i] and f'hint("{name}")' in shown[i], shown[i]
    named = [i for i, text in enumerate(shown) if re.search(PAIN_POINT, text)]
    assert not named, f"code cells {named} name a pain point for an answer not written yet"
