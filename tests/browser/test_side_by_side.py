"""The demo beside the notebook, in Chromium: two windows of one room in a cell's output.

A notebook in a real JupyterLab starts Redis and two daphnes (as lesson 08 does) and shows
``course.side_by_side(a, b, path=...)``. Its two iframes load through jupyter-server-proxy,
chat with each other across the servers, receive the notebook's own ``group_send``, and
server ``a``'s trace of it all is drawn as a sequence diagram.

Then the servers go, as a lesson's last cells and a kernel restart make them go: a window
whose server stopped says so in words, and which cell starts it again, instead of
Jupyter's "500 : Internal Server Error" page or a bare "Closed with code 1005"; and so does
the saved notebook reopened later, trusted (its script asks the server) or not (no script
runs: the words are in the static HTML).
"""

import json
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FrameLocator, Locator, Page, expect

from course._paths import REPO_ROOT
from tests.browser.lab_page import (
    DIAGRAMS,
    kernel_idle,
    open_in_lab,
    scratch,
    screenshot_whole_notebook,
    sequence_svg,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOSTILE = '<img src=x onerror="window.pwned=1">'
FROM_NOTEBOOK = "Hello, both windows!"


def cells(room: str) -> list[str]:
    return [
        "import course\n\n"
        "course.setup(quiet=True)\n"
        "redis = course.start_redis()\n"
        'a = course.serve(name="a", env=redis.env(), trace=True)\n'
        'b = course.serve(name="b", env=redis.env())',
        f'course.side_by_side(a, b, path="chat/{room}/")',
        "from channels_redis.core import RedisChannelLayer\n\n"
        'layer = RedisChannelLayer(**redis.channel_layer_config()["CONFIG"])\n'
        f'note = {{"type": "chat.message", "user": "the notebook", "text": {FROM_NOTEBOOK!r}}}\n'
        f'await layer.group_send("chat.{room}", note)',
        f'a.trace().filter(path="/ws/chat/{room}/")',
    ]


@pytest.fixture
def notebook(artifacts: Path) -> Iterator[tuple[str, str]]:
    """A scratch notebook of cells(room), and its room."""
    room = f"beside-{uuid.uuid4().hex[:8]}"
    path = scratch(artifacts, room, cells(room))
    try:
        yield path.relative_to(REPO_ROOT).as_posix(), room
    finally:
        path.unlink(missing_ok=True)


def run_cell(page: Page, index: int) -> None:
    """Select code cell *index* (command mode) and run it, as Shift+Enter does."""
    page.locator(".jp-NotebookPanel .jp-CodeCell").nth(index).locator(".jp-InputPrompt").click()
    page.keyboard.press("Shift+Enter")
    prompt = page.locator(".jp-NotebookPanel .jp-CodeCell").nth(index).locator(".jp-InputPrompt")
    expect(prompt).to_have_text(f"[{index + 1}]:")
    kernel_idle(page)


def window(page: Page, index: int) -> FrameLocator:
    return page.frame_locator(".course-side-by-side iframe").nth(index)


def test_two_windows_the_notebook_and_the_trace_meet(
    browser: Browser, lab: str, notebook: tuple[str, str], artifacts: Path
) -> None:
    path, room = notebook
    with open_in_lab(browser, lab, path) as page:
        run_cell(page, 0)
        run_cell(page, 1)

        # Two iframes, each through the proxy to its own server, each connected to the room.
        frames = page.locator(".course-side-by-side iframe")
        expect(frames).to_have_count(2)
        sources = [frames.nth(i).get_attribute("src") or "" for i in range(2)]
        assert all(s.startswith("/proxy/") and s.endswith(f"/chat/{room}/") for s in sources)
        assert sources[0] != sources[1], "both windows on one server"
        for i in range(2):
            status = window(page, i).locator("#status")
            expect(status).to_contain_text("Connected to /proxy/")
            expect(status).to_contain_text(f"/ws/chat/{room}/")

        # One window speaks (hostile markup, shown as text); the other, on server b, hears it.
        window(page, 0).locator("#text").fill(HOSTILE)
        window(page, 0).locator("#text").press("Enter")
        for i in range(2):
            log = window(page, i).locator("#log")
            expect(log.locator("li.message").filter(has_text=HOSTILE)).to_have_count(1)
            expect(log.locator("img")).to_have_count(0)

        # The notebook's group_send reaches both windows, through Redis.
        run_cell(page, 2)
        for i in range(2):
            said = window(page, i).locator("li.message").filter(has_text=FROM_NOTEBOOK)
            expect(said).to_have_count(1)
            expect(said.locator("strong")).to_have_text("the notebook")
        assert page.evaluate("typeof window.pwned") == "undefined"

        # Server a's trace: its window's WebSocket, the typed frame and both relayed messages.
        run_cell(page, 3)
        diagram = page.locator(DIAGRAMS)
        expect(diagram).to_have_count(1)
        svg = sequence_svg(diagram.first)
        for label in (f"websocket /ws/chat/{room}/", "websocket.receive", "websocket.send"):
            assert label in svg, f"{label!r} is not in the diagram"
        assert svg.count("websocket.send") >= 4, "history, join, the message, the notebook's"

        screenshot_whole_notebook(page, artifacts / "lab-side-by-side.png")
    assert json.loads((REPO_ROOT / path).read_text())["cells"][0]["outputs"] == []


STOPPED = "is not running"  # the first words of a window whose server is gone
ERROR_PAGE = "Internal Server Error"  # Jupyter's page for a proxied port nobody listens on


def figures(page: Page) -> Locator:
    return page.locator(".course-side-by-side figure")


def shows_stopped(figure: Locator, server: str) -> None:
    """The window says its server is not running and how to start it again; no iframe."""
    note = figure.locator(".course-window-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text(f"Demo server {server!r} {STOPPED}")
    expect(note).to_contain_text(f"course.serve(name={server!r}, ...)")
    expect(figure.locator("iframe")).to_have_count(0)


def saved_with_outputs(path: Path) -> dict:
    """Wait for the lab's save to reach the file; its notebook, outputs included."""
    deadline = time.monotonic() + 30
    while True:
        try:
            nb = json.loads(path.read_text())
        except json.JSONDecodeError:  # read while the lab writes it: not saved yet
            nb = {"cells": []}
        if any(c.get("outputs") for c in nb["cells"]):
            return nb
        assert time.monotonic() < deadline, "the lab did not save the notebook"
        time.sleep(0.2)


def test_a_window_whose_server_stopped_says_so_live_and_reopened(
    browser: Browser, lab: str, artifacts: Path
) -> None:
    room = f"stops-{uuid.uuid4().hex[:8]}"
    path = scratch(
        artifacts,
        room,
        [
            'import course\n\ncourse.setup(quiet=True)\na = course.serve(name="a")\n'
            'b = course.serve(name="b")',
            f'course.side_by_side(a, b, path="chat/{room}/")',
            "b.stop()",
        ],
    )
    relative = path.relative_to(REPO_ROOT).as_posix()
    untrusted = artifacts / f"{room}-copy.ipynb"
    try:
        with open_in_lab(browser, lab, relative, saves=True) as page:
            run_cell(page, 0)
            run_cell(page, 1)
            for i in range(2):
                status = figures(page).nth(i).frame_locator("iframe").locator("#status")
                expect(status).to_contain_text("Connected to /proxy/")

            # Server b stops: its window says so, in words; server a's window stays live.
            run_cell(page, 2)
            shows_stopped(figures(page).nth(1), "b")
            # The page's socket closed first: the proxy closes it without a code (1005), or
            # the page's retry found nothing (1006).
            expect(figures(page).nth(1)).to_contain_text(re.compile(r"Closed with code 100[56]"))
            expect(figures(page).nth(1).get_by_role("button", name="Check again")).to_be_visible()
            a_window = figures(page).nth(0).frame_locator("iframe")
            expect(a_window.locator("#status")).to_contain_text("Connected to /proxy/")
            expect(page.locator(".jp-NotebookPanel")).not_to_contain_text(ERROR_PAGE)
            screenshot_whole_notebook(page, artifacts / "lab-side-by-side-stopped.png")

            page.get_by_role("menubar").get_by_role("menuitem", name="File", exact=True).click()
            page.locator('.lm-Menu-item[data-command="docmanager:save"]').click()
            saved = saved_with_outputs(path)
        # The kernel is gone, and its servers with it. The saved notebook, reopened: the lab
        # signed it when it saved it, so it is trusted and its script asks both servers.
        with open_in_lab(browser, lab, relative, saves=True) as page:
            expect(figures(page)).to_have_count(2)
            for i, server in enumerate("ab"):
                shows_stopped(figures(page).nth(i), server)
            expect(page.get_by_role("button", name="Check again")).to_have_count(2)
            expect(page.locator(".jp-NotebookPanel")).not_to_contain_text(ERROR_PAGE)
            screenshot_whole_notebook(page, artifacts / "lab-side-by-side-reopened.png")

        # A copy the lab never signed (one changed byte of metadata): untrusted, no script
        # runs, the static words show, and no button that would need a script.
        saved["metadata"]["course_test_copy"] = True
        untrusted.write_text(json.dumps(saved))
        with open_in_lab(browser, lab, untrusted.relative_to(REPO_ROOT).as_posix()) as page:
            expect(figures(page)).to_have_count(2)
            for i, server in enumerate("ab"):
                shows_stopped(figures(page).nth(i), server)
            expect(page.get_by_role("button", name="Check again")).to_have_count(0)
            expect(page.locator(".jp-NotebookPanel")).not_to_contain_text(ERROR_PAGE)
            screenshot_whole_notebook(page, artifacts / "lab-side-by-side-untrusted.png")
    finally:
        path.unlink(missing_ok=True)
        untrusted.unlink(missing_ok=True)
