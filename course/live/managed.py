"""What daphne servers and redis-servers have in common: one per name, logs, stop, display.

A subclass says how to start its process (``_start``) and which links to show
(``_links``); this base class keeps a registry so re-running a notebook cell that
starts "the same" server replaces the old one instead of leaving it running.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Self

from course._paths import REPO_ROOT, state_dir
from course.live import _spawn, links

#: A file every start appends a JSON line to ({kind, name, seconds, forked}): `make bench`
#: sets it in a lesson's kernel to count and time the servers a student waits for.
START_LOG = "COURSE_START_LOG"

_registry: dict[tuple[str, str], Managed] = {}
_registry_lock = threading.Lock()


def slug(name: str) -> str:
    """*name* made safe for a file name: "config.asgi:application" → "config.asgi-application"."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "x"


class Managed:
    """A named child process this kernel started; stopped with the kernel, never orphaned."""

    kind: ClassVar[str] = "process"

    def __init__(self, name: str) -> None:
        self.name = name
        self.log_path = state_dir() / f"{self.kind}-{slug(name)}.log"
        self.port = 0
        self._proc: _spawn.Child | None = None
        self.command = ""  # the command line it runs, as typed in a shell (set by _start)

    # -- what a subclass provides ------------------------------------------------------

    def _start(self) -> None:
        """Start the process and return once it is ready, or raise ``self._failure(...)``."""
        raise NotImplementedError

    def _links(self) -> list[tuple[str, str]]:
        """(label, URL) pairs to show while running."""
        return []

    def _take_over(self, previous: Managed) -> None:
        """Called with the stopped process this one replaces.

        Re-running a cell keeps the port when it is still free: an open browser tab, a
        copied URL and a REDIS_URL handed to other servers keep working.
        """
        if not self.port:
            self.port = previous.port

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        """The process id while running, else None."""
        return self._proc.pid if self.running and self._proc else None

    @property
    def running(self) -> bool:
        """True while the process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def _launch(self) -> Self:
        """Replace any running process of the same kind and name with this one, and start it."""
        key = (self.kind, self.name)
        with _registry_lock:
            previous = _registry.pop(key, None)
        if previous is not None and previous is not self:
            previous.stop()
            self._take_over(previous)
        started = time.perf_counter()
        try:
            self._start()
        except BaseException:  # Interrupt (KeyboardInterrupt) too: leave nothing behind
            self.stop()
            raise
        self._note_start(time.perf_counter() - started)
        with _registry_lock:
            _registry[key] = self
        return self

    def _note_start(self, seconds: float) -> None:
        if path := os.environ.get(START_LOG):
            forked = not isinstance(self._proc, subprocess.Popen)
            line = {"kind": self.kind, "name": self.name, "seconds": seconds, "forked": forked}
            with open(path, "a") as log:
                log.write(json.dumps(line) + "\n")

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after 3 s). Calling it again does nothing."""
        if self._proc is not None:
            _spawn.stop(self._proc)
        with _registry_lock:
            if _registry.get((self.kind, self.name)) is self:
                del _registry[(self.kind, self.name)]

    def restart(self) -> Self:
        """Stop and start again with the same settings."""
        self.stop()
        return self._launch()

    def logs(self, n: int = 20) -> str:
        """The last *n* lines of the process's log (stdout and stderr)."""
        return _spawn.tail(self.log_path, n)

    def _wait_until(self, ready: Callable[[float], bool], timeout: float) -> None:
        """Poll ``ready(seconds_left)`` until true; fail if the process exits or time runs out."""
        deadline = time.monotonic() + timeout
        while True:
            if self._proc is None or self._proc.poll() is not None:
                code = None if self._proc is None else self._proc.returncode
                raise self._failure(f"exited with status {code} while starting")
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._failure(f"not ready after {timeout:g} s")
            if ready(min(left, 1.0)):
                return
            time.sleep(0.02)

    def _failure(self, what: str) -> RuntimeError:
        """Stop the process and build an error that quotes the end of its log."""
        self.stop()
        return RuntimeError(
            f"{self.kind} {self.name!r} {what}. Last lines of {self.log_path}:\n{self.logs(30)}"
        )

    # -- context manager and display -----------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _status(self) -> str:
        return f"running, pid {self.pid}" if self.running else "stopped"

    def _render(self) -> tuple[str, str]:
        shown = self._links() if self.running else []
        return links.render(f"{self.kind} {self.name!r}", self._status(), shown, self.command)

    def __repr__(self) -> str:
        return self._render()[1]

    def _repr_html_(self) -> str:
        return self._render()[0]


def typed(argv: Sequence[str], cwd: Path) -> str:
    """*argv* as a student would type it in *cwd*: ``python`` for this interpreter, and a
    path under the repository relative to it (``cd demo_project && python -m daphne ...``)."""
    words = ["python" if i == 0 and a == sys.executable else a for i, a in enumerate(argv)]
    where = cwd.relative_to(REPO_ROOT) if cwd.is_relative_to(REPO_ROOT) else cwd
    return f"cd {shlex.quote(str(where))} && {shlex.join(words)}"


def stop_all() -> None:
    """Stop every server and redis-server this kernel started (all at once, in parallel)."""
    with _registry_lock:
        _registry.clear()
    _spawn.stop_all()
