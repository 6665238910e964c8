"""Run → Run All Cells in JupyterLab, as lesson 00 tells the student: a lesson runs to its end.

JupyterLab sends a cell tagged ``raises-exception`` with ``stop_on_error`` off, so the kernel
keeps going past the errors a lesson shows on purpose, and stops at any other. nbclient, which
runs the lessons in tests/test_lesson_runs.py, honours the same tag in its own way; this runs
the student's path, in Chromium.
"""

import json
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from course._paths import REPO_ROOT
from tests.browser.lab_page import kernel_idle, run_all_cells
from tests.jupyter_lab import TOKEN, shut_down_kernels

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Lesson 03 has six errors on purpose between ordinary cells; lesson 08 starts five servers,
# a Redis and two iframes of the chat, and times what it waits for.
LESSONS = ["03-websocket-scope-and-events", "08-scaling-out-with-redis"]


def tagged(cells: list[dict[str, Any]]) -> list[int]:
    """Indexes (among code cells) of the cells tagged raises-exception."""
    code = [c for c in cells if c["cell_type"] == "code"]
    return [i for i, c in enumerate(code) if "raises-exception" in c["metadata"].get("tags", [])]


@pytest.mark.parametrize("lesson", LESSONS)
def test_run_all_cells_reaches_the_end_past_every_error_on_purpose(
    browser: Browser, lab: str, lesson: str
) -> None:
    notebook = REPO_ROOT / "notebooks" / f"{lesson}.ipynb"
    committed = notebook.read_bytes()
    cells = json.loads(committed)["cells"]
    code_cells = sum(c["cell_type"] == "code" for c in cells)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        # reset: the lab forgets the notebooks an earlier test left open in its workspace.
        page.goto(f"{lab}/lab/tree/notebooks/{lesson}.ipynb?reset&token={TOKEN}")
        expect(page.locator(".jp-NotebookPanel .jp-CodeCell")).to_have_count(code_cells)
        kernel_idle(page)
        failed = run_all_cells(page, seconds=120)
        assert failed == tagged(cells), (
            f"errors in code cells {failed}; the lesson tags {tagged(cells)} raises-exception"
        )
    finally:
        context.close()
        shut_down_kernels(lab)
    assert notebook.read_bytes() == committed, f"{notebook.name} was written to: git checkout it"
