"""Real-browser tests: Playwright for Python driving the system's Chromium.

Playwright never downloads a browser here; the tests launch /usr/bin/chromium (Debian's
package). Without it they are skipped on a developer's machine and fail under CI=true.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from course._paths import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
# --no-sandbox: CI containers run as root. The rest keep Chromium off the network: on a
# machine with a closed network its background connections are refused and slow it down.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO_ROOT / "test-artifacts"  # screenshots, for a human to look at

# expect() waits 5 s by default, apart from the contexts' own default timeouts. JupyterLab
# draws a notebook's cells over several seconds on a loaded 2-core machine: wait as long as
# the contexts do.
expect.set_options(timeout=30_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """A headless Chromium, one per test module (each test opens its own contexts)."""
    if not CHROMIUM.exists():
        message = (
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium, "
            "install it with `sudo apt-get install -y chromium`."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {message}", pytrace=False)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def artifacts() -> Path:
    """test-artifacts/ at the repository root (git ignores it)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
