"""Helpers for the toolkit's process tests: stand-in kernels and "is that pid alive?"."""

import json
import os
import queue
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

import psutil
import pytest

from course._paths import REPO_ROOT

ECHO_APP = "tests.course.echo_app:application"


def alive(pid: int) -> bool:
    """True while *pid* runs (a zombie waiting for its reaper counts as gone)."""
    try:
        return psutil.Process(pid).status() not in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)
    except psutil.NoSuchProcess:
        return False


def wait_gone(pid: int, timeout: float = 5.0) -> bool:
    """Wait up to *timeout* seconds for *pid* to exit; True if it did."""
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def start_script(code: str) -> subprocess.Popen[str]:
    """Run *code* after a prelude defining ``report`` and ``wait`` (see conftest.starter)."""
    prelude = textwrap.dedent(
        """
        import json, signal, sys
        def report(**values):
            print(json.dumps(values), flush=True)
        # Like ipykernel: SIGINT interrupts the work, the process lives on.
        signal.signal(signal.SIGINT, lambda *_: report(interrupted=True))
        def wait():
            sys.stdin.readline()
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def read_report(proc: subprocess.Popen[str], timeout: float = 20.0) -> dict[str, Any]:
    """The next JSON line *proc* printed, failing the test after *timeout* seconds."""
    stdout = proc.stdout
    assert stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        proc.kill()
        pytest.fail(f"starter printed nothing in {timeout} s")
    assert line, f"starter exited with {proc.wait()} before reporting"
    result: dict[str, Any] = json.loads(line)
    return result


def finish(proc: subprocess.Popen[str], timeout: float = 10.0) -> int:
    """Close the starter's stdin (its cue to exit normally) and wait for it."""
    assert proc.stdin is not None
    proc.stdin.close()
    return proc.wait(timeout)
