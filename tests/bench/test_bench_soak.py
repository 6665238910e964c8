"""The soak's orphan counter, on processes made to be left behind (and ones that are not)."""

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from bench import procs
from bench.soak import MARKER, leftovers, wait_for_leftovers

pytestmark = pytest.mark.slow

# A stand-in for a kernel: starts `sleep 60` in its own session, prints its pid, waits.
PLAIN = """
import subprocess, sys, time
child = subprocess.Popen(["sleep", "60"], start_new_session=True, env=ENV)
print(child.pid, flush=True)
time.sleep(60)
"""
# The same, through the toolkit: the child gets the death signal.
TIED = """
import sys, time
from pathlib import Path
from course.live import _spawn
child = _spawn.spawn(["sleep", "60"], log_path=Path(sys.argv[1]))
print(child.pid, flush=True)
time.sleep(60)
"""


@pytest.fixture
def marker() -> Iterator[str]:
    value = f"{MARKER}={uuid.uuid4().hex}"
    yield value
    for proc in leftovers(value):  # whatever a failed test left
        os.kill(proc.pid, signal.SIGKILL)


def kill_parent(code: str, marker: str, *args: str) -> tuple[int, procs.Proc]:
    """Run *code* with *marker* in its environment, SIGKILL it once it has a child."""
    name, value = marker.split("=")
    env = {**os.environ, name: value}
    command = [sys.executable, "-c", code, *args]
    with subprocess.Popen(command, stdout=subprocess.PIPE, env=env, text=True) as parent:
        assert parent.stdout is not None
        child = procs.info(int(parent.stdout.readline()))
        parent.kill()
    assert child is not None
    return parent.pid, child


def test_a_child_without_the_death_signal_is_counted(marker: str) -> None:
    _, child = kill_parent(PLAIN.replace("ENV", "None"), marker)
    left = wait_for_leftovers(marker, grace=1)
    assert [p.pid for p in left] == [child.pid]


def test_a_child_that_dropped_the_marker_is_counted_if_it_was_seen(marker: str) -> None:
    _, child = kill_parent(PLAIN.replace("ENV", "{}"), marker)
    assert leftovers(marker) == []  # no marker in its environment...
    left = wait_for_leftovers(marker, {child.pid: child}, grace=1)
    assert [p.pid for p in left] == [child.pid]  # ...but it was seen below the kernel
    os.kill(child.pid, signal.SIGKILL)


def test_a_child_started_by_the_toolkit_is_not_left(marker: str, tmp_path: object) -> None:
    _, child = kill_parent(TIED, marker, f"{tmp_path}/sleep.log")
    assert wait_for_leftovers(marker, {child.pid: child}) == []
