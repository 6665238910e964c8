"""course/live/managed.py: one process per name, logs, stop, display (with a plain sleeper)."""

import itertools
import json
import sys

import pytest

from course.live import _spawn
from course.live import managed as _managed

# Nearly every test here starts a process (a small Python, not a server).
pytestmark = pytest.mark.slow

SLEEP = "import time; print('sleeping', flush=True); time.sleep(60)"


PORTS = itertools.count(4242)


class Sleeper(_managed.Managed):
    kind = "sleeper"

    def _start(self):
        self._proc = _spawn.spawn([sys.executable, "-c", SLEEP], log_path=self.log_path)
        self.port = self.port or next(PORTS)  # a new one unless taken over
        self._wait_until(lambda left: "sleeping" in self.logs(), 5)


def test_slug_makes_a_file_name():
    assert _managed.slug("config.asgi:application") == "config.asgi-application"
    assert _managed.slug("../../etc/passwd") == "..-..-etc-passwd"
    assert _managed.slug("///") == "x"


def test_same_name_replaces_the_running_process():
    first = Sleeper("a")._launch()
    first_pid = first.pid
    second = Sleeper("a")._launch()
    assert not first.running and first.pid is None
    assert second.running and second.pid != first_pid
    assert second.port == first.port  # taken over


def test_different_names_coexist():
    a, b = Sleeper("a")._launch(), Sleeper("b")._launch()
    assert a.running and b.running
    assert a.log_path != b.log_path


def test_stop_is_idempotent_and_restart_starts_again():
    sleeper = Sleeper("a")._launch()
    pid = sleeper.pid
    sleeper.stop()
    sleeper.stop()
    assert not sleeper.running
    sleeper.restart()
    assert sleeper.running and sleeper.pid != pid


def test_context_manager_stops():
    with Sleeper("a")._launch() as sleeper:
        assert sleeper.running
    assert not sleeper.running


def test_stop_all():
    sleepers = [Sleeper(name)._launch() for name in "abc"]
    _managed.stop_all()
    assert not any(s.running for s in sleepers)


def test_repr_shows_status():
    sleeper = Sleeper("<a>")._launch()
    assert repr(sleeper) == f"sleeper '<a>' — running, pid {sleeper.pid}"
    assert "&lt;a&gt;" in sleeper._repr_html_()
    sleeper.stop()
    assert repr(sleeper) == "sleeper '<a>' — stopped"


def test_a_failed_start_stops_the_process_and_quotes_the_log():
    class Impatient(Sleeper):
        def _start(self):
            self._proc = _spawn.spawn([sys.executable, "-c", SLEEP], log_path=self.log_path)
            self._wait_until(lambda left: False, 0.5)

    impatient = Impatient("x")
    with pytest.raises(RuntimeError, match=r"not ready after 0\.5 s") as info:
        impatient._launch()
    assert "sleeping" in str(info.value)  # the log's tail
    assert not impatient.running


class InterruptedSleeper(Sleeper):
    """The student presses Interrupt while the process is starting."""

    def _start(self):
        self._proc = _spawn.spawn([sys.executable, "-c", SLEEP], log_path=self.log_path)
        raise KeyboardInterrupt


def test_an_interrupted_start_leaves_no_process_behind():
    with pytest.raises(KeyboardInterrupt):
        InterruptedSleeper("i")._launch()
    assert not _spawn.running(), "the half-started process is still running"
    again = Sleeper("i")._launch()
    assert [p.pid for p in _spawn.running()] == [again.pid]


def test_each_start_is_written_down_when_asked(tmp_path, monkeypatch):
    # `make bench` (bench/lessons.py) counts and times a lesson's server starts this way.
    log = tmp_path / "starts.jsonl"
    monkeypatch.setenv(_managed.START_LOG, str(log))
    Sleeper("noted")._launch()
    Sleeper("noted")._launch()
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(line["kind"], line["name"], line["forked"]) for line in lines] == [
        ("sleeper", "noted", False)
    ] * 2
    assert all(0 < line["seconds"] < 5 for line in lines)
