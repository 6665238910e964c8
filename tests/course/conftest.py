"""Fixtures for the toolkit's process tests: nothing survives a test, and ``starter``
runs stand-in kernels (see helpers.py)."""

import subprocess

import pytest

from course.live import _spawn, forkserver
from course.live import managed as _managed
from tests.course.helpers import start_script


@pytest.fixture(autouse=True)
def stop_everything():
    """No test leaves a daphne, a redis-server or any other child behind."""
    yield
    _managed.stop_all()
    assert not _spawn.running(), "a child survived stop_all()"


@pytest.fixture
def fresh_fork_server(monkeypatch):
    """The test starts without a fork server, with it switched on, and leaves none."""
    monkeypatch.delenv(forkserver.SWITCH, raising=False)
    forkserver.shutdown()
    yield
    forkserver.shutdown()


@pytest.fixture
def starter():
    """Factory: ``starter(code)`` runs *code* in a fresh Python, a stand-in for a kernel.

    It runs in its own session (so signals to its group spare pytest). The code gets
    ``report(**values)`` to print one JSON line, and ``wait()`` to block until the test
    closes stdin; SIGINT prints ``{"interrupted": true}`` and goes on, like a kernel.
    Whatever still runs at the end is killed.
    """
    started: list[subprocess.Popen[str]] = []

    def start(code: str) -> subprocess.Popen[str]:
        started.append(start_script(code))
        return started[-1]

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                pipe.close()
