"""course.setup() (course/session.py): a lesson's first cell boots the fork server in the
background, unless the lesson starts no server."""

import time

import psutil
import pytest

import course
from course.live import forkserver
from course.live.servers import serve
from tests.course.helpers import ECHO_APP

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def no_fork_server(monkeypatch):
    monkeypatch.delenv(forkserver.SWITCH, raising=False)
    forkserver.shutdown()
    yield
    forkserver.shutdown()


def test_setup_boots_the_fork_server_before_any_server_starts():
    course.setup(migrate=False, quiet=True)
    deadline = time.monotonic() + 30
    while forkserver.pid() is None:
        assert time.monotonic() < deadline, "setup() did not boot the fork server"
        time.sleep(0.05)
    assert psutil.Process(forkserver.pid()).name() == "forkserver"
    started = time.perf_counter()
    server = serve(ECHO_APP)
    assert psutil.Process(server.pid).ppid() == forkserver.pid()
    # a fork, not a boot: far under what booting takes (~0.5 s idle, ~2 s on a busy host)
    assert time.perf_counter() - started < 5


def test_a_lesson_without_servers_keeps_the_memory():
    course.setup(servers=False, migrate=False, quiet=True)
    time.sleep(0.5)
    assert forkserver.pid() is None
