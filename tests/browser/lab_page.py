"""What the JupyterLab browser tests share: a notebook opened in the lab, Run All, waiting
for the kernel, reading drawn diagrams, and a screenshot of a whole notebook."""

import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import nbformat
from playwright.sync_api import Browser, Locator, Page, expect

from course._paths import REPO_ROOT
from tests.jupyter_lab import TOKEN, shut_down_kernels

SVG_URI = "data:image/svg+xml,"
# JupyterLab 4 renders a Mermaid diagram to SVG and shows it as an <img> of that SVG (a
# data: URL), which keeps its markup out of the page.
DIAGRAMS = ".jp-OutputArea-output.jp-RenderedMermaid figure > img"

# How much taller than its window the notebook's content is (cells and footer; not the
# blank "scroll past end" space, which grows with the window).
CONTENT_OVERFLOW = """() => {
  const outer = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer');
  const content = [...outer.children].reduce((h, c) => h + c.getBoundingClientRect().height, 0);
  return Math.ceil(content - outer.clientHeight);
}"""


OPEN_CODE_CELLS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell"
# Each code cell's prompt in the open notebook: "[3]:" ran, "[*]:" queued or running, "[ ]:" not.
PROMPTS = f"""() => [...document.querySelectorAll('{OPEN_CODE_CELLS} .jp-InputPrompt')]
  .map(p => p.textContent.trim())"""
RAN = r"/^\[\d+\]:$/"  # the prompt of a cell that has run
INDICATOR = ".jp-NotebookPanel .jp-Notebook-ExecutionIndicator"  # data-status: idle, busy
# The index (among code cells) of each cell whose output shows an error or writes to stderr.
CELLS_WITH_ERRORS = f"""() => [...document.querySelectorAll('{OPEN_CODE_CELLS}')]
  .map((cell, i) => [i, cell.querySelector(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]') !== null])
  .filter(([, failed]) => failed).map(([i]) => i)"""


def scratch(artifacts: Path, name: str, sources: list[str]) -> Path:
    """A notebook of code cells inside the lab's root (test-artifacts/, which git ignores)."""
    path = artifacts / f"{name}.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


@contextlib.contextmanager
def open_in_lab(browser: Browser, lab: str, path: str, *, saves: bool = False) -> Iterator[Page]:
    """A page of its own on the lab, showing the notebook at *path* (from the repository's
    root) with its kernel idle. Afterwards: the page closed, the lab's kernels shut down, and
    the notebook's file as it was (the lab under test never autosaves), unless the test
    *saves* it on purpose (a scratch notebook)."""
    notebook = REPO_ROOT / path
    before = notebook.read_bytes()
    code_cells = sum(c["cell_type"] == "code" for c in json.loads(before)["cells"])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        # reset: the lab forgets the notebooks an earlier test left open in its workspace.
        page.goto(f"{lab}/lab/tree/{path}?reset&token={TOKEN}")
        expect(page.locator(OPEN_CODE_CELLS)).to_have_count(code_cells)
        kernel_idle(page)
        yield page
    finally:
        context.close()
        shut_down_kernels(lab)
    assert saves or notebook.read_bytes() == before, f"{path} was written to: git checkout it"


def run_all_cells(page: Page, seconds: float) -> list[int]:
    """Run → Run All Cells, as a lesson tells the student; fail unless every code cell runs.

    Returns the indexes (among code cells) of the cells that show an error.
    """
    page.get_by_role("menubar").get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menu").get_by_role("menuitem", name="Run All Cells", exact=True).click()
    # Done when every code cell has run. A cell that fails without the tag raises-exception
    # makes the kernel drop the rest, which go back to "[ ]:": then done once no cell is queued
    # and the kernel has stayed idle for 3 s. Not "none queued" alone: on a loaded machine the
    # lab can show no "[*]:" between one cell's end and the next one's start.
    settled = f"""() => {{
      const prompts = ({PROMPTS})();
      if (prompts.every(p => {RAN}.test(p))) return true;
      const status = document.querySelector('{INDICATOR}')?.dataset.status;
      if (prompts.some(p => p === '[*]:') || status !== 'idle') {{
        window.courseQuietSince = null;
        return false;
      }}
      window.courseQuietSince = window.courseQuietSince || Date.now();
      return Date.now() - window.courseQuietSince > 3000;
    }}"""
    page.wait_for_function(settled, timeout=seconds * 1000, polling=250)
    kernel_idle(page)
    prompts: list[str] = page.evaluate(PROMPTS)
    failed: list[int] = page.evaluate(CELLS_WITH_ERRORS)
    not_run = [i for i, prompt in enumerate(prompts) if not re.fullmatch(r"\[\d+\]:", prompt)]
    assert not not_run, f"Run All stopped: code cells {not_run} never ran; {failed} show an error"
    return failed


def kernel_idle(page: Page) -> None:
    expect(page.locator(INDICATOR)).to_have_attribute("data-status", "idle")
    expect(page.locator("#jp-main-statusbar")).to_contain_text("| Idle")


def sequence_svg(img: Locator) -> str:
    """The SVG markup of one drawn Mermaid diagram; fails unless it is a sequence diagram."""
    img.scroll_into_view_if_needed()
    assert img.evaluate("e => e.complete && e.naturalWidth > 0"), "the SVG did not load"
    src = img.get_attribute("src") or ""
    assert src.startswith(SVG_URI), src[:80]
    svg = unquote(src.removeprefix(SVG_URI))
    assert "<svg" in svg
    assert 'aria-roledescription="sequence"' in svg
    return svg


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
