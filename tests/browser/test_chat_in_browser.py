"""Two people chat in Chromium, through JupyterLab's proxy, as students on a hub would."""

import base64
import html
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

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


def open_room(browser: Browser, url: str) -> Page:
    """A new browser context (its own cookies: another person) on the room's page."""
    context = browser.new_context(viewport={"width": 640, "height": 620})
    context.set_default_timeout(15_000)
    page = context.new_page()
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
