"""Lesson 00 in JupyterLab, in Chromium: Run → Run All Cells, and the trace is drawn."""

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import Browser, Page, expect

from course._paths import REPO_ROOT
from tests.jupyter_lab import TOKEN

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON = "notebooks/00-welcome-and-setup.ipynb"
LINKED = "notebooks/07-databases-sessions-and-auth.ipynb"  # where the explainer's link leads
SVG_URI = "data:image/svg+xml,"
# Every code cell has run ("[n]:" in its prompt), or a cell wrote to stderr (a traceback
# is shown as stderr too; Run All stops at a failing cell).
RUN_ALL_FINISHED = """() => {
  const stderr = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]';
  const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
  const done = prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p.textContent.trim()));
  return done || document.querySelector(stderr) !== null;
}"""
# The source of each code cell whose output holds a Mermaid figure (textContent, not
# innerText: cells out of view skip rendering, and their innerText is empty).
CELLS_WITH_DIAGRAMS = """() => [...document.querySelectorAll('.jp-CodeCell')]
  .filter(cell => cell.querySelector('.jp-RenderedMermaid figure > img'))
  .map(cell => [...cell.querySelectorAll('.jp-InputArea-editor .cm-line')]
    .map(line => line.textContent).join('\\n'))"""


def kernel_idle(page: Page) -> None:
    expect(page.locator(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator")).to_have_attribute(
        "data-status", "idle"
    )
    expect(page.locator("#jp-main-statusbar")).to_contain_text("| Idle")


# How much taller than its window the notebook's content is (cells and footer; not the
# blank "scroll past end" space, which grows with the window).
CONTENT_OVERFLOW = """() => {
  const outer = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer');
  const content = [...outer.children].reduce((h, c) => h + c.getBoundingClientRect().height, 0);
  return Math.ceil(content - outer.clientHeight);
}"""


def screenshot_whole_notebook(page: Page, path: Path) -> None:
    """The notebook scrolls inside a fixed-size app: grow the window to fit it, then shoot."""
    size = page.viewport_size
    assert size is not None
    overflow = page.evaluate(CONTENT_OVERFLOW)
    if overflow > 0:
        height = min(size["height"] + overflow + 20, 16_000)
        page.set_viewport_size({"width": size["width"], "height": height})
        page.wait_for_function(f"({CONTENT_OVERFLOW})() <= 0")
    page.locator(".jp-NotebookPanel .jp-WindowedPanel-outer").evaluate("e => e.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


def test_lesson_00_runs_in_jupyterlab_and_draws_the_trace(
    browser: Browser, lab: str, artifacts: Path
) -> None:
    notebook = REPO_ROOT / LESSON
    committed = notebook.read_bytes()
    linked = REPO_ROOT / LINKED
    linked_committed = linked.read_bytes()
    code_cells = sum(c["cell_type"] == "code" for c in json.loads(committed)["cells"])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        page.goto(f"{lab}/lab/tree/{LESSON}?token={TOKEN}")
        expect(page.locator(".jp-NotebookPanel .jp-CodeCell")).to_have_count(code_cells)
        kernel_idle(page)

        # What the lesson tells the student to do.
        page.get_by_role("menubar").get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menu").get_by_role("menuitem", name="Run All Cells", exact=True).click()
        page.wait_for_function(RUN_ALL_FINISHED, timeout=50_000)
        kernel_idle(page)
        errors = page.locator(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
        )
        # One cell fails on purpose, the last code cell; below it, the error explainer.
        assert errors.count() == 1, "\n".join(errors.all_inner_texts())
        failed = page.locator(".jp-CodeCell").filter(has=errors)
        expect(failed.locator(".jp-InputArea-editor")).to_contain_text("Message.objects.count()")
        explained = failed.locator('.jp-OutputArea-output[data-mime-type="text/html"]')
        expect(explained).to_contain_text("Channels pain point 1:")

        # `tracer.last` (in-process) and `served` (inside daphne) are drawn by Mermaid.
        # JupyterLab 4 renders a Mermaid diagram to SVG and shows it as an <img> of that
        # SVG (a data: URL), which keeps its markup out of the page.
        diagrams = page.locator(".jp-OutputArea-output.jp-RenderedMermaid figure > img")
        expect(diagrams).to_have_count(2)
        assert page.evaluate(CELLS_WITH_DIAGRAMS) == [
            "tracer.last",
            "served = server.trace().last\nserved",
        ]
        expect(page.locator(".jp-RenderedMermaid details")).to_have_count(0)  # a parse error
        for i in range(2):
            img = diagrams.nth(i)
            img.scroll_into_view_if_needed()
            assert img.evaluate("e => e.complete && e.naturalWidth > 0"), "the SVG did not load"
            src = img.get_attribute("src") or ""
            assert src.startswith(SVG_URI), src[:80]
            svg = unquote(src.removeprefix(SVG_URI))
            assert "<svg" in svg
            assert 'aria-roledescription="sequence"' in svg
            for label in ("#1 http GET /api/v1/data?filter=active", "http.response.start"):
                assert label in svg, f"{label!r} is not in the diagram"

        screenshot_whole_notebook(page, artifacts / "lab-lesson-00.png")

        # The explainer's link opens the lesson that teaches the error, at its section.
        explained.get_by_role("link", name=re.compile("^07 · Why a cell is async code")).click()
        lesson = page.locator(".jp-NotebookPanel:visible")
        expect(page.get_by_role("tab", name=re.compile(Path(LINKED).name))).to_be_visible()
        expect(lesson.get_by_role("heading", name="Why a cell is async code")).to_be_in_viewport()
    finally:
        context.close()
    # The lab under test never autosaves: the committed notebook has no outputs.
    assert notebook.read_bytes() == committed, f"{LESSON} was written to: git checkout it"
    assert linked.read_bytes() == linked_committed, f"{LINKED} was written to: git checkout it"
