"""The demo beside the notebook, in Chromium: two windows of one room in a cell's output.

A notebook in a real JupyterLab starts Redis and two daphnes (as lesson 08 does) and shows
``course.side_by_side(a, b, path=...)``. Its two iframes load through jupyter-server-proxy,
chat with each other across the servers, receive the notebook's own ``group_send``, and
server ``a``'s trace of it all is drawn as a sequence diagram.
"""

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import Browser, FrameLocator, Page, expect

from course._paths import REPO_ROOT
from tests.browser.lab_page import (
    DIAGRAMS,
    kernel_idle,
    open_in_lab,
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
    """A scratch notebook inside the lab's root (test-artifacts/, which git ignores)."""
    room = f"beside-{uuid.uuid4().hex[:8]}"
    path = artifacts / f"{room}.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in cells(room)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
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
