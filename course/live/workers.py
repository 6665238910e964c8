"""Run ``manage.py runworker`` from a notebook cell: a worker process for channel names.

>>> redis = start_redis()
>>> worker = start_worker("wordcount", settings="config.settings_jobs", env=redis.env())
>>> print(worker.logs())
>>> worker.stop()                     # or stop_all(); the kernel's exit stops it too

A worker listens on channel-layer channels and hands each message to the consumer that
``ASGI_APPLICATION``'s ``"channel"`` router names for it. It only ever hears from other
processes through a shared layer (Redis): give it the same ``env`` as the daphne you serve.
Like a daphne it survives Interrupt, dies with the kernel and is replaced when the cell
runs again (see ``course.live.managed``); like a daphne it is forked from the kernel's
fork server (``course.live.forkserver``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import ClassVar

from course._paths import DEMO_DIR, REPO_ROOT
from course.live import forkserver
from course.live.managed import Managed, stop_all, typed

__all__ = ["Worker", "start_worker", "stop_all"]

DEFAULT_SETTINGS = "config.settings"
#: What ``runworker`` logs (at INFO) once it has its application and its channel layer.
READY = "Running worker for channels"


class Worker(Managed):
    """A ``manage.py runworker CHANNEL...`` subprocess in the demo project."""

    kind: ClassVar[str] = "worker"

    def __init__(
        self,
        channels: Sequence[str],
        *,
        name: str | None = None,
        settings: str = DEFAULT_SETTINGS,
        env: Mapping[str, str] | None = None,
        timeout: float = 10,
    ) -> None:
        if isinstance(channels, str) or not channels:
            raise ValueError("name the channels to listen on: start_worker('jobs', ...)")
        super().__init__(name or "+".join(channels))
        self.channels = list(channels)
        self.settings = settings
        self.extra_env = dict(env or {})
        self.timeout = timeout

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        path = os.pathsep.join([str(DEMO_DIR), str(REPO_ROOT), env.get("PYTHONPATH", "")])
        env.update(
            PYTHONPATH=path.rstrip(os.pathsep),
            DJANGO_SETTINGS_MODULE=self.settings,
            PYTHONUNBUFFERED="1",  # log lines reach the file as they happen
        )
        env.update(self.extra_env)
        # runworker says READY at INFO: Django's own console handler shows it when DEBUG is
        # on (the demo's default); with DEBUG off, the demo's root logger must show INFO.
        if env.get("DJANGO_DEBUG", "1") != "1":
            env.setdefault("DEMO_LOG_LEVEL", "INFO")
        return env

    def _start(self) -> None:
        argv = [sys.executable, "manage.py", "runworker", *self.channels]
        self.command = typed(argv, DEMO_DIR)
        self._proc = forkserver.spawn(
            argv, log_path=self.log_path, cwd=DEMO_DIR, env=self._environment()
        )
        self._wait_until(lambda left: READY in self.logs(200), self.timeout)

    def _status(self) -> str:
        listening = ", ".join(self.channels)
        return f"{super()._status()}, listening on {listening}" if self.running else "stopped"


def start_worker(
    *channels: str,
    name: str | None = None,
    settings: str = DEFAULT_SETTINGS,
    env: Mapping[str, str] | None = None,
    timeout: float = 10,
) -> Worker:
    """Start ``manage.py runworker`` on *channels* and return once it runs.

    *settings* is the Django settings module (its ``ASGI_APPLICATION`` needs a
    ``"channel"`` entry); *env* adds environment variables (e.g. ``redis.env()``).
    *name* (default: the channels, joined by "+") identifies the worker: starting the
    same name again stops the old one first. Raises RuntimeError, quoting the end of its
    log, if the worker exits or does not start within *timeout* seconds.
    """
    worker = Worker(channels, name=name, settings=settings, env=env, timeout=timeout)
    return worker._launch()
