"""Start child processes that survive Jupyter's Interrupt button and die with the kernel.

Three things make that true, each tried in a real kernel
(tests/course/live/test_kernel_lifecycle.py):

- ``start_new_session=True``: Interrupt sends SIGINT to the kernel's process group; a child
  in its own session is not in that group, so it keeps running.
- ``_deathsig.py`` arms Linux's ``PR_SET_PDEATHSIG`` in the child before it execs the real
  command, so the child gets SIGTERM when the kernel dies in any way, SIGKILL included.
  The death signal fires when the *thread* that forked the child exits, so every child is
  forked by one long-lived daemon thread here, never by whichever thread asked for it.
- an ``atexit`` handler stops whatever is still running when the interpreter exits normally.

A child's stdout and stderr go to a log file, never into the notebook cell.

Servers written in Python (daphne, uvicorn, a worker) do not come through ``spawn`` but
through ``course.live.forkserver``, which forks them ready-imported from a fork server and
keeps these same guarantees; it falls back to ``spawn``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Protocol

WRAPPER = Path(__file__).with_name("_deathsig.py")
#: Seconds between SIGTERM and SIGKILL.
STOP_TIMEOUT = 3.0


class Child(Protocol):
    """What this module needs of a child: a ``subprocess.Popen``, or a server the fork server
    started (``course.live._fork_client.ForkedChild``)."""

    pid: int
    returncode: int | None

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...

    def send_signal(self, sig: int) -> None: ...


_Job = tuple[Callable[[], "subprocess.Popen[bytes]"], "Future[subprocess.Popen[bytes]]"]

_lock = threading.Lock()
_jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
_thread: threading.Thread | None = None
_children: list[Child] = []


def _spawner_loop(jobs: queue.SimpleQueue[_Job]) -> None:
    """Run Popen calls one after another, in this thread, for the process's lifetime."""
    while True:
        start, future = jobs.get()
        if not future.set_running_or_notify_cancel():
            continue
        try:
            future.set_result(start())
        except BaseException as exc:  # hand every failure back to the caller
            future.set_exception(exc)


def _in_spawner_thread(start: Callable[[], subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    """Call *start* in the spawner thread (starting that thread if needed) and return its result."""
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(
                target=_spawner_loop, args=(_jobs,), name="course-spawner", daemon=True
            )
            _thread.start()
    future: Future[subprocess.Popen[bytes]] = Future()
    _jobs.put((start, future))
    return future.result()


def spawn(
    argv: Sequence[str],
    *,
    log_path: Path,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    pass_fds: Sequence[int] = (),
    track: bool = True,
) -> subprocess.Popen[bytes]:
    """Start *argv* in its own session, tied to this process, logging to *log_path* (truncated).

    The file descriptors in *pass_fds* are inherited by the command (the caller closes its
    own copies afterwards). ``track=False`` leaves it out of ``running()`` and ``stop_all()``
    (the fork server, which its owner stops).
    """
    command = [sys.executable, "-I", "-S", str(WRAPPER), str(os.getpid()), "--", *argv]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:  # the child keeps its own copy of the descriptor

        def start() -> subprocess.Popen[bytes]:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env=None if env is None else dict(env),
                pass_fds=tuple(pass_fds),
                start_new_session=True,
            )
            # Registered here, in the spawner thread: if the caller is interrupted while
            # waiting for this, stop_all() and atexit still know the child.
            if track:
                adopt(proc)
            return proc

        return _in_spawner_thread(start)


def adopt(child: Child) -> None:
    """Count *child* among ours: ``running()``, ``stop_all()`` and atexit know it."""
    with _lock:
        _children[:] = [known for known in _children if known.poll() is None]
        _children.append(child)


def _signal(proc: Child, sig: int) -> None:
    """Send *sig* to the child's process group (its pid: it leads its own session)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except OSError:  # no such group: the child left it, or has just exited
        with contextlib.suppress(OSError):
            proc.send_signal(sig)


def stop(proc: Child, timeout: float = STOP_TIMEOUT) -> int:
    """SIGTERM, wait up to *timeout* seconds, then SIGKILL; return the exit status.

    Safe to call again on a stopped process.
    """
    return stop_many([proc], timeout)[0]


def stop_many(procs: Sequence[Child], timeout: float = STOP_TIMEOUT) -> list[int]:
    """Stop several children in parallel: all get SIGTERM first, then share one deadline."""
    for proc in procs:
        _signal(proc, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal(proc, signal.SIGKILL)
            proc.wait()
    with _lock:
        _children[:] = [child for child in _children if child not in procs]
    return [proc.wait() for proc in procs]  # all ended: at once


def running() -> list[Child]:
    """Children started by this process that have not exited yet."""
    with _lock:
        return [child for child in _children if child.poll() is None]


def stop_all(timeout: float = STOP_TIMEOUT) -> None:
    """Stop every child this process started (registered with atexit)."""
    stop_many(running(), timeout)


def tail(path: Path, n: int = 20, max_bytes: int = 64 * 1024) -> str:
    """The last *n* lines of a text file ("" if it does not exist)."""
    try:
        with path.open("rb") as file:
            file.seek(max(0, file.seek(0, os.SEEK_END) - max_bytes))
            data = file.read()
    except FileNotFoundError:
        return ""
    lines = data.decode("utf-8", errors="replace").splitlines()
    return "\n".join(lines[-n:]) if n > 0 else ""


def _forget_after_fork() -> None:
    """A forked copy of this process owns neither our children nor our spawner thread."""
    global _thread, _lock, _jobs
    _lock = threading.Lock()
    _jobs = queue.SimpleQueue()
    _thread = None
    _children.clear()


os.register_at_fork(after_in_child=_forget_after_fork)
atexit.register(stop_all)
