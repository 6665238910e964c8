"""Lesson 00 in JupyterLab, in Chromium: Run → Run All Cells, and the trace is drawn."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from course._paths import REPO_ROOT
from tests.browser.lab_page import (
    DIAGRAMS,
    open_in_lab,
    run_all_cells,
    screenshot_whole_notebook,
    sequence_svg,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON = "notebooks/00-welcome-and-setup.ipynb"
LINKED = "notebooks/07-databases-sessions-and-auth.ipynb"  # where the explainer's link leads
# The source of each code cell whose output holds a Mermaid figure (textContent, not
# innerText: cells out of view skip rendering, and their innerText is empty).
CELLS_WITH_DIAGRAMS = """() => [...document.querySelectorAll('.jp-CodeCell')]
  .filter(cell => cell.querySelector('.jp-RenderedMermaid figure > img'))
  .map(cell => [...cell.querySelectorAll('.jp-InputArea-editor .cm-line')]
    .map(line => line.textContent).join('\\n'))"""


def test_lesson_00_runs_in_jupyterlab_and_draws_the_trace(
    browser: Browser, lab: str, artifacts: Path
) -> None:
    linked = REPO_ROOT / LINKED
    linked_committed = linked.read_bytes()
    cells = json.loads((REPO_ROOT / LESSON).read_text())["cells"]
    code_cells = sum(c["cell_type"] == "code" for c in cells)
    with open_in_lab(browser, lab, LESSON) as page:
        # What the lesson tells the student to do.
        failed_cells = run_all_cells(page, seconds=50)
        # One cell fails on purpose, the last code cell; below it, the error explainer.
        assert failed_cells == [code_cells - 1], failed_cells
        failed = page.locator(".jp-CodeCell").nth(code_cells - 1)
        expect(failed.locator(".jp-InputArea-editor")).to_contain_text("Message.objects.count()")
        explained = failed.locator('.jp-OutputArea-output[data-mime-type="text/html"]')
        expect(explained).to_contain_text("Channels pain point 1:")

        # `tracer.last` (in-process) and `served` (inside daphne) are drawn by Mermaid.
        diagrams = page.locator(DIAGRAMS)
        expect(diagrams).to_have_count(2)
        assert page.evaluate(CELLS_WITH_DIAGRAMS) == [
            "tracer.last",
            "served = server.trace().last\nserved",
        ]
        expect(page.locator(".jp-RenderedMermaid details")).to_have_count(0)  # a parse error
        for i in range(2):
            svg = sequence_svg(diagrams.nth(i))
            for label in ("#1 http GET /api/v1/data?filter=active", "http.response.start"):
                assert label in svg, f"{label!r} is not in the diagram"

        screenshot_whole_notebook(page, artifacts / "lab-lesson-00.png")

        # The explainer's link opens the lesson that teaches the error, at its section.
        explained.get_by_role("link", name=re.compile("^07 · Why a cell is async code")).click()
        lesson = page.locator(".jp-NotebookPanel:visible")
        expect(page.get_by_role("tab", name=re.compile(Path(LINKED).name))).to_be_visible()
        expect(lesson.get_by_role("heading", name="Why a cell is async code")).to_be_in_viewport()
    assert linked.read_bytes() == linked_committed, f"{LINKED} was written to: git checkout it"


def test_a_lesson_opens_unmodified(browser: Browser, lab: str) -> None:
    # The kernel's language_info, which JupyterLab writes into a notebook as its kernel
    # starts, is already there (course/lab.py): the tab shows no "modified" dot.
    with open_in_lab(browser, lab, "notebooks/02-http-scope-and-events.ipynb") as page:
        page.wait_for_timeout(1500)  # JupyterLab marks the notebook as the kernel reports in
        tab = page.locator(".lm-TabBar-tab.jp-mod-current", has_text="02-http-scope")
        expect(tab).to_have_count(1)
        assert "jp-mod-dirty" not in (tab.get_attribute("class") or ""), "opened as modified"
