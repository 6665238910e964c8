"""One real hub per test module (make hub, the simple spawner), and a Chromium to drive it.

Both need what `make hub-setup` installs (make test runs it) and Debian's Chromium: without
them the tests are skipped on a developer's machine and fail under CI=true.
"""

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS
from tests.hub.hub_run import Hub, missing, run_hub


def _need(message: str | None) -> None:
    if message is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """A running hub; at the end of the module it is stopped, and nothing may be left."""
    _need(missing())
    with run_hub(tmp_path_factory.mktemp("hub") / "state") as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    _need(None if CHROMIUM.exists() else f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
