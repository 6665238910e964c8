"""Fixtures shared by test_make_lab.py and tests/browser/."""

from collections.abc import Iterator

import pytest

from tests.jupyter_lab import run_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `make lab` (no browser, token ``tests.jupyter_lab.TOKEN``); yields its base URL.

    One per test module, on a free port: modules on different xdist workers never share one.
    """
    with run_lab(tmp_path_factory.mktemp("jupyter-runtime")) as base:
        yield base
