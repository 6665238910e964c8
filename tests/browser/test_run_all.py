"""Run → Run All Cells in JupyterLab, as lesson 00 tells the student: a lesson runs to its end.

JupyterLab sends a cell tagged ``raises-exception`` with ``stop_on_error`` off, so the kernel
keeps going past the errors a lesson shows on purpose, and stops at any other. nbclient, which
runs the lessons in tests/test_lesson_runs.py, honours the same tag in its own way; this runs
the student's path, in Chromium.
"""

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from course._paths import REPO_ROOT
from tests.browser.lab_page import open_in_lab, run_all_cells, scratch

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Lesson 03 has six errors on purpose between ordinary cells; lesson 08 starts six servers,
# a Redis and two iframes of the chat, and times what it waits for.
LESSONS = ["03-websocket-scope-and-events", "08-one-redis-between-servers"]


def tagged(cells: list[dict[str, Any]]) -> list[int]:
    """Indexes (among code cells) of the cells tagged raises-exception."""
    code = [c for c in cells if c["cell_type"] == "code"]
    return [i for i, c in enumerate(code) if "raises-exception" in c["metadata"].get("tags", [])]


@pytest.mark.parametrize("lesson", LESSONS)
def test_run_all_cells_reaches_the_end_past_every_error_on_purpose(
    browser: Browser, lab: str, lesson: str
) -> None:
    path = f"notebooks/{lesson}.ipynb"
    cells = json.loads((REPO_ROOT / path).read_text())["cells"]
    with open_in_lab(browser, lab, path) as page:
        failed = run_all_cells(page, seconds=120)
        members = _output_of(page, cells, 'await joined("chat.watch")')
    assert failed == tagged(cells), (
        f"errors in code cells {failed}; the lesson tags {tagged(cells)} raises-exception"
    )
    if lesson.startswith("08-"):  # Run All does not outrun the windows: both joined
        assert members == "2", f"joined() found {members!r} members: it gave up on the windows"


def _output_of(page: Page, cells: list[dict[str, Any]], source: str) -> str | None:
    """The text output of the code cell whose source ends with *source* (None: no such cell)."""
    code = [c for c in cells if c["cell_type"] == "code"]
    found = [i for i, c in enumerate(code) if "".join(c["source"]).endswith(source)]
    if not found:
        return None
    cell = page.locator(".jp-CodeCell").nth(found[0])
    cell.scroll_into_view_if_needed()
    return cell.locator(".jp-OutputArea-output").inner_text().strip()


def test_run_all_stops_at_an_error_nobody_tagged_and_says_which_cells_never_ran(
    browser: Browser, lab: str, artifacts: Path
) -> None:
    path = scratch(artifacts, "untagged", ["x = 1", "raise ValueError('not on purpose')", "y = 2"])
    relative = path.relative_to(REPO_ROOT).as_posix()
    stopped = pytest.raises(AssertionError, match=r"code cells \[2\] never ran; \[1\] show")
    with open_in_lab(browser, lab, relative, saves=True) as page, stopped:
        run_all_cells(page, seconds=60)
