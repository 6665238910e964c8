"""Two people chat in Chromium, through JupyterLab's proxy, as students on a hub would."""

import base64
import html
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect
from websockets.sync.client import connect

from chat.consumers import HISTORY_LENGTH, HISTORY_PAGE
from course._paths import DEMO_DIR
from course.live.servers import Server, serve
from tests.jupyter_lab import TOKEN

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Rendered as HTML, this would set window.pwned as soon as the image fails to load.
HOSTILE = '<img src=x onerror="window.pwned=1">'


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo under daphne (course.serve, as in lesson 00) on a fresh, migrated database."""
    env = {"DEMO_DB": str(tmp_path_factory.mktemp("browser-chat") / "db.sqlite3")}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=DEMO_DIR,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    with serve(name="browser-chat", env=env) as server:
        yield server


def open_room(browser: Browser, url: str, route: object = None) -> Page:
    """A new browser context (its own cookies: another person) on the room's page; *route*,
    if given, handles the page's chat WebSockets (Page.route_web_socket)."""
    context = browser.new_context(viewport={"width": 640, "height": 620})
    context.set_default_timeout(15_000)
    page = context.new_page()
    if route is not None:
        page.route_web_socket(re.compile(r"/ws/chat/"), route)
    page.goto(url)
    expect(page.locator("#status")).to_contain_text("Connected to")
    return page


def say(page: Page, text: str) -> None:
    page.locator("#text").fill(text)
    page.locator("#text").press("Enter")


def side_by_side(browser: Browser, shots: dict[str, bytes], path: Path) -> None:
    """One PNG showing each person's window, captioned, next to each other."""
    cells = "".join(
        f"<figure><figcaption>{html.escape(caption)}</figcaption>"
        f'<img src="data:image/png;base64,'
        f'{base64.b64encode(png).decode()}"></figure>'
        for caption, png in shots.items()
    )
    page = browser.new_page(viewport={"width": 1340, "height": 720})
    try:
        page.set_content(
            "<style>body{margin:0;display:flex;gap:20px;padding:10px;font:16px sans-serif}"
            "figure{margin:0}figcaption{font-size:13px}img{border:1px solid #999}</style>" + cells
        )
        page.screenshot(path=path, full_page=True)
    finally:
        page.close()


def test_two_people_chat_through_the_jupyter_proxy(
    browser: Browser, lab: str, demo: Server, artifacts: Path
) -> None:
    room = f"browser-{uuid.uuid4().hex[:8]}"
    # The page's own link, as a student on a hub opens it; the token logs the browser
    # into Jupyter (a cookie), which the page's relative WebSocket URL then reuses.
    url = f"{lab}{demo.proxy_url(f'chat/{room}/')}?token={TOKEN}"
    ada, bob = open_room(browser, url), open_room(browser, url)
    try:
        assert f"/proxy/{demo.port}/ws/chat/{room}/" in ada.locator("#status").inner_text()
        bob_says = f"Hello Ada, plain text from Bob ({room})"
        say(ada, HOSTILE)
        say(bob, bob_says)
        for page in (ada, bob):
            log = page.locator("#log")
            # Each sees the other's message, live (both were connected before either spoke).
            expect(log.locator("li.message").filter(has_text=HOSTILE)).to_have_count(1)
            expect(log.locator("li.message").filter(has_text=bob_says)).to_have_count(1)
            # The hostile message is text: no element was made from it, nothing ran.
            expect(log.locator("img")).to_have_count(0)
            assert page.evaluate("typeof window.pwned") == "undefined"
        # Both messages were relayed between two different people.
        authors = {
            page.locator("li.message strong").nth(i).inner_text()
            for page in (ada, bob)
            for i in range(2)
        }
        assert len(authors) == 2, authors

        side_by_side(
            browser,
            {
                f"Ada's window: {ada.url.split('?')[0]}": ada.screenshot(),
                f"Bob's window: {bob.url.split('?')[0]}": bob.screenshot(),
            },
            artifacts / "chat-two-users.png",
        )
    finally:
        ada.context.close()
        bob.context.close()


def test_the_hostile_message_would_run_if_it_were_html(browser: Browser) -> None:
    # The control for the check above: the same string, parsed as HTML, sets window.pwned.
    page = browser.new_page()
    try:
        page.set_content(f"<p>{HOSTILE}</p>")
        page.wait_for_function("window.pwned === 1", timeout=5_000)
    finally:
        page.close()


class Line:
    """The page's WebSocket, routed through Playwright: the test can cut it, keep it down
    (every reconnection is closed at once) and bring it back, or lose chosen frames.

    Playwright runs these handlers whenever the test next calls it, so what they do must
    not depend on when they run: a lost frame is chosen by its text, not by a moment.
    """

    def __init__(self, lose: str = "") -> None:
        self.down = False
        self.lose = lose  # live message frames whose text holds this never reach the page
        self.page_side: WebSocketRoute | None = None
        self.server_side: WebSocketRoute | None = None

    def __call__(self, ws: WebSocketRoute) -> None:
        if self.down:
            ws.close(code=1012, reason="test: the line is down")
            return
        server = ws.connect_to_server()

        def relay(frame: str | bytes) -> None:
            data = json.loads(frame)
            if not (self.lose and data["type"] == "message" and self.lose in data["text"]):
                ws.send(frame)

        server.on_message(relay)
        self.page_side, self.server_side = ws, server

    def cut(self) -> None:
        self.down = True
        assert self.page_side is not None and self.server_side is not None
        self.server_side.close()
        self.page_side.close(code=1012, reason="test: the line is cut")


def post(demo: Server, room: str, texts: list[str]) -> None:
    """Another client (a websockets one, straight to daphne) says each text in *room*,
    each stored (its echo read back) before the next."""
    origin = demo.url.rstrip("/")
    with connect(demo.ws_url(f"ws/chat/{room}/"), origin=origin, open_timeout=10) as ws:
        for text in texts:
            ws.send(json.dumps({"type": "message", "text": text}))
            while (frame := json.loads(ws.recv(timeout=10)))["type"] != "message":
                pass
            assert frame["text"] == text


def shown(page: Page) -> list[tuple[int, str]]:
    """The stored messages on the page, top to bottom: (id, text)."""
    rows = page.locator("#log li.message").evaluate_all(
        "items => items.map(item => [Number(item.dataset.id), item.textContent])"
    )
    return [(message_id, text.split(": ", 1)[1]) for message_id, text in rows]


def assert_in_order_once(page: Page, texts: list[str]) -> None:
    rows = shown(page)
    ids = [message_id for message_id, _ in rows]
    assert ids == sorted(set(ids)), f"ids out of order or repeated: {ids}"
    assert [text for _, text in rows] == texts


def test_the_page_catches_up_after_a_reconnect(browser: Browser, lab: str, demo: Server) -> None:
    room = f"reconnect-{uuid.uuid4().hex[:8]}"
    url = f"{lab}{demo.proxy_url(f'chat/{room}/')}?token={TOKEN}"
    line = Line()
    page = open_room(browser, url, line)
    try:
        post(demo, room, ["before the cut"])
        expect(page.locator("li.message")).to_have_count(1)

        line.cut()
        expect(page.locator("#status")).to_contain_text("Reconnecting in")
        # More than the room's last messages sent on connect, and more than one page.
        missed = [f"missed {n:03d}" for n in range(HISTORY_PAGE + HISTORY_LENGTH)]
        post(demo, room, missed)
        assert page.locator("li.message").count() == 1  # nothing came through meanwhile
        line.down = False

        # The page reconnects by itself, then pages through what it missed.
        expect(page.locator("#status")).to_contain_text("Connected to")
        expect(page.locator("li.message")).to_have_count(1 + len(missed))
        post(demo, room, ["after the reconnect"])
        expect(page.locator("li.message")).to_have_count(2 + len(missed))
        assert_in_order_once(page, ["before the cut", *missed, "after the reconnect"])
    finally:
        page.context.close()


def test_the_page_fills_a_gap_in_the_live_frames(browser: Browser, lab: str, demo: Server) -> None:
    room = f"gap-{uuid.uuid4().hex[:8]}"
    url = f"{lab}{demo.proxy_url(f'chat/{room}/')}?token={TOKEN}"
    line = Line(lose="lost")
    page = open_room(browser, url, line)
    try:
        post(demo, room, ["first"])
        expect(page.locator("li.message")).to_have_count(1)

        # Two frames go missing, as a full channel would drop them; the next one's id
        # jumps, and the page asks for what lies between.
        post(demo, room, ["lost one", "lost two"])
        post(demo, room, ["found again"])

        expect(page.locator("li.message")).to_have_count(4)
        assert_in_order_once(page, ["first", "lost one", "lost two", "found again"])
    finally:
        page.context.close()
