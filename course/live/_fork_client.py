"""The kernel's end of a fork server: start it, ask it for children, hear how they end.

``course.live.forkserver`` decides when to use it; ``course.live._zygote`` is the other end
(it describes the messages).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from course._paths import state_dir
from course.live import _spawn
from course.live._zygote import MAX_MESSAGE

BOOT_TIMEOUT = 30.0  # seconds: the imports take ~0.6 s on an idle machine
REPLY_TIMEOUT = 10.0  # seconds: a fork takes milliseconds
# Left out of the fork server's environment: each child gets its own.
PRIVATE = ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")


class Lost(Exception):
    """The fork server did not start, or stopped answering."""


class ForkServer:
    """The kernel's end of a running fork server."""

    def __init__(self, proc: subprocess.Popen[bytes], sock: socket.socket) -> None:
        self.proc, self.sock = proc, sock
        self.exits: dict[int, int] = {}  # pid -> status, as the fork server reports them
        self.lost = False
        self.lock = threading.Lock()

    @classmethod
    def boot(cls) -> ForkServer:
        """Start a fork server and return once it has imported everything."""
        timeout = BOOT_TIMEOUT
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {k: v for k, v in os.environ.items() if k not in PRIVATE}
        try:
            proc = _spawn.spawn(
                [sys.executable, "-m", "course.live._zygote", str(theirs.fileno())],
                log_path=state_dir() / "forkserver.log",
                cwd=state_dir(),
                env=env,
                pass_fds=[theirs.fileno()],
                track=False,  # stop_all() stops servers, not the fork server
            )
        finally:
            theirs.close()
        server = cls(proc, ours)
        try:
            if not select.select([ours], [], [], timeout)[0]:
                raise Lost(f"was not ready after {timeout:g} s")
            if "ready" not in server._receive():
                raise Lost("said something else than ready")
        except BaseException:
            server.close()
            raise
        return server

    def _why(self) -> str:
        try:
            code = self.proc.wait(1)
        except subprocess.TimeoutExpired:
            return f"(pid {self.proc.pid}) stopped answering"
        return f"(pid {self.proc.pid}) exited with status {code}"

    def _receive(self, block: bool = True) -> dict[str, Any]:
        """The next message ({} if none waits and not *block*); notes exits; Lost at the end."""
        try:
            data = self.sock.recv(MAX_MESSAGE, 0 if block else socket.MSG_DONTWAIT)
        except BlockingIOError:
            return {}
        except OSError:
            data = b""
        if not data:
            self.lost = True
            raise Lost(self._why())
        message: dict[str, Any] = json.loads(data)
        if "exited" in message:
            self.exits[int(message["exited"])] = int(message["status"])
        return message

    def start(self, args: list[str], cwd: str, env: dict[str, str], fds: Sequence[int]) -> int:
        """Fork a child that runs ``python ARGS...``; *fds*: the log, then the passed ones."""
        request = {"args": args, "cwd": cwd, "env": env, "fds": list(fds[1:])}
        with self.lock:
            if self.lost:
                raise Lost(self._why())
            try:
                socket.send_fds(self.sock, [json.dumps(request).encode()], list(fds))
            except OSError as error:
                self.lost = True
                raise Lost(self._why()) from error
            while True:
                if not select.select([self.sock], [], [], REPLY_TIMEOUT)[0]:
                    self.lost = True
                    raise Lost(f"(pid {self.proc.pid}) did not answer in {REPLY_TIMEOUT:g} s")
                message = self._receive()
                if "started" in message:
                    return int(message["started"])
                if "error" in message:
                    raise OSError(message["error"])

    def status(self, pid: int) -> int | None:
        """*pid*'s exit status, or None while it runs."""
        with self.lock, contextlib.suppress(Lost):
            while not self.lost and self._receive(block=False):
                pass
        if pid in self.exits:
            return self.exits[pid]
        return _ended(pid) if self.lost else None

    def wait_for_news(self, seconds: float) -> None:
        """Sleep up to *seconds*, waking when the fork server says something."""
        try:
            if not self.lost:
                select.select([self.sock], [], [], seconds)
                return
        except (OSError, ValueError):  # closed meanwhile, by another thread
            pass
        time.sleep(seconds)

    def close(self) -> None:
        """Stop the fork server; the servers it forked get SIGTERM (their death signal)."""
        self.lost = True
        self.sock.close()
        _spawn.stop(self.proc)


def _ended(pid: int) -> int | None:
    """With the fork server gone, *pid*'s status went to init: -SIGTERM once it has ended."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return -signal.SIGTERM
    return -signal.SIGTERM if state in ("Z", "X") else None


class ForkedChild:
    """A server the fork server started: what ``_spawn`` and ``Managed`` use of a Popen."""

    def __init__(self, server: ForkServer, pid: int, argv: Sequence[str]) -> None:
        self.server, self.pid, self.args = server, pid, list(argv)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.server.status(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            left = 0.05 if deadline is None else min(0.05, deadline - time.monotonic())
            if left <= 0:
                raise subprocess.TimeoutExpired(self.args, timeout or 0)
            self.server.wait_for_news(left)
        return code

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def __repr__(self) -> str:
        return f"<ForkedChild pid {self.pid}, returncode {self.returncode}>"
