"""Servers that start at once: a fork server that has imported their libraries already.

A daphne started from scratch spends ~0.5 s importing Twisted, Django and Channels before it
runs a line of the demo. The first ``spawn`` of a Python command in a kernel boots one fork
server (``course.live._zygote``) that imports those once; every server after that is a
fork of it, which only imports the demo project and its settings, in ~0.1 s. The children
share the fork server's pages of library code, so each costs a fraction of the memory.

What ``_spawn.spawn`` guarantees holds for a forked server too: the kernel binds the socket
and hands it over (at the same descriptor number), the log file is the kernel's (truncated),
the environment, folder and settings module are the server's own, it leads its own session
(Interrupt never reaches it), and it dies with the kernel however the kernel ends: kernel →
fork server → server, each link a ``PR_SET_PDEATHSIG``. ``_spawn.running()``,
``stop_all()`` and atexit know it like any child.

Only ``python -m MODULE ...`` and ``python SCRIPT ...`` are forked (redis-server is
spawned). When the fork server cannot start or has died, the start is spawned as before,
and so is every later one; the kernel says so once. ``COURSE_FORK_SERVER=0`` turns it off.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from course._paths import state_dir
from course.live import _spawn
from course.live._fork_client import ForkedChild, ForkServer, Lost

SWITCH = "COURSE_FORK_SERVER"


_lock = threading.Lock()
_server: ForkServer | None = None
_given_up = False


def enabled() -> bool:
    """True while starts go through the fork server (Linux, not turned off, not given up)."""
    on = os.environ.get(SWITCH, "1") != "0"
    return on and not _given_up and sys.platform.startswith("linux")


def forkable(argv: Sequence[str]) -> bool:
    """Is *argv* a ``python -m MODULE ...`` or ``python SCRIPT.py ...`` of this interpreter?"""
    if len(argv) < 2 or argv[0] != sys.executable:
        return False
    return (argv[1] == "-m" and len(argv) > 2) or argv[1].endswith(".py")


def pid() -> int | None:
    """The running fork server's process id, or None."""
    server = _server
    return server.proc.pid if server is not None and not server.lost else None


def spawn(
    argv: Sequence[str],
    *,
    log_path: Path,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    pass_fds: Sequence[int] = (),
) -> _spawn.Child:
    """``_spawn.spawn``, through the fork server when it can."""
    if forkable(argv) and enabled():
        child = _fork(argv, log_path, cwd, env, pass_fds)
        if child is not None:
            return child
    return _spawn.spawn(argv, log_path=log_path, cwd=cwd, env=env, pass_fds=pass_fds)


def run_python(
    args: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python ARGS...`` in a fresh process, waited for, as ``subprocess.run`` would: its
    stdout and stderr together, as text, in ``stdout``. Forked from the fork server when it
    can (pytest on the demo starts ~0.4 s sooner). Interrupted, it and whatever it started
    get SIGTERM, then SIGKILL."""
    argv = [sys.executable, *args]
    with tempfile.TemporaryDirectory(prefix="course-run-") as folder:
        output = Path(folder) / "output.log"
        child = spawn(argv, log_path=output, cwd=cwd, env=env)
        try:
            code = child.wait()
        finally:
            _spawn.stop(child)  # its session's group: SIGTERM, then SIGKILL (if still running)
        return subprocess.CompletedProcess(argv, code, output.read_text(errors="replace"))


def warm() -> None:
    """Boot the fork server in the background now (a lesson's setup may), so that even the
    kernel's first server starts at once. Does nothing if it runs or is switched off."""
    if enabled() and _server is None:
        threading.Thread(target=_warm_up, name="course-forkserver-boot", daemon=True).start()


def _warm_up() -> None:
    with _lock:
        _booted()


def _booted() -> ForkServer | None:
    """The running fork server, booted if need be; None once given up. Hold ``_lock``."""
    global _server
    if _server is None and not _given_up:
        try:
            _server = ForkServer.boot()
        except (Lost, OSError) as error:
            _give_up(f"the fork server could not start: it {error}")
    return _server


def _fork(
    argv: Sequence[str],
    log_path: Path,
    cwd: Path | None,
    env: Mapping[str, str] | None,
    pass_fds: Sequence[int],
) -> ForkedChild | None:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with _lock, log_path.open("wb") as log:
        server = _booted()
        if server is None:
            return None
        where, environ = str(cwd or os.getcwd()), dict(os.environ if env is None else env)
        try:
            started = server.start(list(argv[1:]), where, environ, [log.fileno(), *pass_fds])
        except Lost as error:
            _give_up(f"the fork server {error}")
            return None
        except OSError:  # this one fork failed (out of memory?): spawn it, fork the next
            return None
        child = ForkedChild(server, started, argv)
        _spawn.adopt(child)
        return child


def _give_up(why: str) -> None:
    """From now on spawn every server, and say so (once: nothing calls this again)."""
    global _server, _given_up
    log = state_dir() / "forkserver.log"
    if _server is not None:
        _server.close()
        _server = None
    _given_up = True
    print(
        f"course: {why}; servers now start the slow way (~0.5 s each). Its log: {log}",
        file=sys.stderr,
        flush=True,
    )


def shutdown() -> None:
    """Stop the servers it forked and the fork server; the next start boots a fresh one."""
    global _server, _given_up
    _spawn.stop_many([c for c in _spawn.running() if isinstance(c, ForkedChild)])
    with _lock:
        if _server is not None:
            _server.close()
        _server, _given_up = None, False


def _forget_after_fork() -> None:
    """A forked copy of this process does not own our fork server."""
    global _lock, _server
    _lock, _server = threading.Lock(), None


os.register_at_fork(after_in_child=_forget_after_fork)
atexit.register(shutdown)
