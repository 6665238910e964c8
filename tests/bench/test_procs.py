"""bench/procs.py: processes through psutil, read from real child processes."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import psutil
import pytest

from bench import procs

# A student's process: listens on a port the OS picks, prints it, waits.
LISTENER = """
import socket, time
server = socket.create_server(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
time.sleep(60)
"""


@pytest.fixture
def child() -> Iterator[tuple[int, int]]:
    """A child with ``COURSE_BENCH_STUDENT=ada`` in its environment: its pid and port."""
    env = {**os.environ, procs.MARKER: "ada"}
    command = [sys.executable, "-c", LISTENER]
    with subprocess.Popen(command, stdout=subprocess.PIPE, env=env, text=True) as proc:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield proc.pid, port
        proc.kill()


def test_a_child_is_found_below_us_with_its_marker_memory_and_port(
    child: tuple[int, int],
) -> None:
    pid, port = child
    found = {proc.pid: proc for proc in procs.descendants(os.getpid())}
    proc = found[pid]
    assert procs.has_marker(proc, f"{procs.MARKER}=ada")
    assert not procs.has_marker(proc, f"{procs.MARKER}=bob")
    assert procs.environ_value(proc, procs.MARKER) == "ada"
    assert procs.rss_mb(proc) > 1 and 0 < procs.pss_mb(proc) <= procs.rss_mb(proc)
    assert procs.listening(proc) == [port]
    assert procs.command(proc).startswith(f"{sys.executable} -c")
    # What a committed report holds: the program's name, no path of this machine.
    assert procs.shown(proc).startswith(f"{os.path.basename(sys.executable)} -c")
    assert "/" not in procs.shown(proc).split()[0]
    assert procs.kind(proc) == procs.name(proc) != ""


def test_the_sampler_counts_a_student_s_memory_and_ports(child: tuple[int, int]) -> None:
    _, port = child
    sampler = procs.Sampler()
    sampler.sample()
    assert sampler.ports["ada"] == {port: "other"}
    assert sampler.peak_mb_by["ada"] > 0 and sampler.peak_rss_mb > 0
    assert sampler.clashes == []


def test_a_process_that_ended_is_neither_alive_nor_read() -> None:
    with subprocess.Popen(["sleep", "60"]) as sleeper:
        proc = procs.info(sleeper.pid)
        assert proc is not None and procs.alive(proc)
        sleeper.kill()
        deadline = time.monotonic() + 5
        while proc.status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not procs.alive(proc), "a zombie (dead, not yet reaped) counts as alive"
        assert procs.info(sleeper.pid) is None
    assert procs.rss_mb(proc) == 0 and procs.command(proc) == ""
    assert proc not in procs.descendants(os.getpid())


# A parent with 32 MB written, and a child of it that writes over all of it: the parent's
# pages become its own again (the child copied each one), as a fork server's do.
COPIED = """
import os, sys, time
data = bytearray(32 * 1024 * 1024)
data[::4096] = b"x" * len(data[::4096])
done_r, done_w = os.pipe()
child = os.fork()
if child == 0:
    data[::4096] = b"y" * len(data[::4096])
    os.write(done_w, b".")
    time.sleep(60)
    os._exit(0)
os.read(done_r, 1)  # the child has written over all of it
print(child, flush=True)
time.sleep(60)
"""


def test_private_dirty_counts_the_pages_a_forked_child_copied() -> None:
    with subprocess.Popen(
        [sys.executable, "-c", COPIED], stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        child = int(proc.stdout.readline())
        try:
            parent_mb = procs.private_dirty_mb(psutil.Process(proc.pid))
            child_mb = procs.private_dirty_mb(psutil.Process(child))
        finally:
            os.kill(child, 9)
            proc.kill()
    assert 32 <= parent_mb < 60, parent_mb  # 32 MB copied away by the child, now its alone
    assert 32 <= child_mb < 60, child_mb
