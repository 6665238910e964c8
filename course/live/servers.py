"""Run the demo project (or any ASGI app) under a real daphne, from a notebook cell.

>>> server = serve()                      # config.asgi:application on a free port
>>> server.url, server.ws_url("ws/echo/async/")
>>> print(server.logs())
>>> server.stop()                         # or stop_all(); the kernel's exit stops it too

Re-running ``serve(...)`` with the same name stops the previous server first. The
server runs in its own session (Jupyter's Interrupt button does not reach it) and
dies with the kernel, whatever kills the kernel (see ``course.live._spawn``). It is forked
from the kernel's fork server, which has imported daphne's libraries already, so it
answers in ~0.1 s instead of ~0.5 s (``course.live.forkserver``).
"""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from course._paths import DEMO_DIR, REPO_ROOT, state_dir
from course.live import forkserver, links
from course.live.managed import Managed, slug, stop_all, typed
from course.tracing.model import Trace
from course.tracing.served import subprocess_env

__all__ = ["Server", "serve", "stop_all"]

DEFAULT_APP = "config.asgi:application"
HOST = "127.0.0.1"


def _listen(port: int = 0) -> socket.socket:
    """A listening socket on 127.0.0.1: *port* if it is free, else one the OS picks.

    The port belongs to us from ``bind`` on, so servers started at the same moment (by
    other kernels or other users on the host too) can never race for it; daphne adopts
    the socket itself with ``--fd`` instead of binding a port number.
    """
    for candidate in dict.fromkeys([port, 0]):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, candidate))
        except OSError:
            sock.close()
            continue
        sock.listen(128)
        return sock
    raise OSError(f"cannot listen on {HOST}")  # not reached: port 0 always binds


def _speaks_http(port: int, timeout: float) -> bool:
    """True once daphne answers on *port*.

    The probe sends a malformed request line, which Twisted's HTTP parser answers with
    "400 Bad Request" itself: the app is never called, so the probe leaves no trace in
    the access log or in a trace the student records.
    """
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as conn:
            conn.sendall(b"READY?\r\n\r\n")
            return conn.recv(16).startswith(b"HTTP/")
    except OSError:
        return False


def _clients_of(pid: int | None, port: int) -> set[int] | None:
    """The client ports of the TCP connections to *port* that server *pid* still holds
    established; None where psutil cannot tell (the server is gone, or not ours to read)."""
    import psutil  # imported here: 30 ms, and only trace() needs it

    if pid is None:
        return None
    try:
        connections = psutil.Process(pid).net_connections(kind="tcp")
    except psutil.Error:
        return None
    return {
        c.raddr.port
        for c in connections
        if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port and c.raddr
    }


def _unfinished(recorded: Trace, pid: int | None, port: int) -> bool:
    """Does the trace still lack the end of a connection whose client is done?"""
    if any(c.ended is None and c.type == "http" for c in recorded.connections):
        return True
    closing = [
        c.scope["client"][1]
        for c in recorded.connections
        if c.ended is None
        and c.type == "websocket"
        and c.scope.get("client")
        and not c.messages("websocket.disconnect")
    ]
    if not closing:
        return False
    clients = _clients_of(pid, port)
    return clients is not None and any(client not in clients for client in closing)


class Server(Managed):
    """A daphne subprocess serving one ASGI app on 127.0.0.1."""

    kind: ClassVar[str] = "daphne"

    def __init__(
        self,
        app: str = DEFAULT_APP,
        *,
        name: str | None = None,
        env: Mapping[str, str] | None = None,
        trace: bool = False,
        args: Sequence[str] = (),
        timeout: float = 10,
    ) -> None:
        super().__init__(name or app)
        self.app = app
        self.extra_env = dict(env or {})
        self.args = list(args)
        self.timeout = timeout
        self.trace_file: Path | None = (
            state_dir() / f"trace-{slug(self.name)}.jsonl" if trace else None
        )

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT/``: reachable from the kernel and a browser on this machine."""
        return f"http://{HOST}:{self.port}/"

    def ws_url(self, path: str = "") -> str:
        """``ws://127.0.0.1:PORT/<path>``, e.g. ``server.ws_url("ws/chat/lobby/")``."""
        return f"ws://{HOST}:{self.port}/{path.lstrip('/')}"

    def proxy_url(self, path: str = "") -> str:
        """The same page through jupyter-server-proxy, for a browser on another machine."""
        return links.proxy_url(self.port, path)

    def trace(self, settle: float = 0.5) -> Trace:
        """What the traced app recorded so far (needs ``serve(..., trace=True)``).

        A connection's last records are written just after the client sees it end, so a
        trace read straight after a request, or after a WebSocket closed, may catch it
        unfinished: wait up to *settle* seconds for HTTP requests to finish, and for
        WebSockets whose TCP connection is gone to record their ``websocket.disconnect``
        (open WebSockets stay open).
        """
        if self.trace_file is None:
            raise RuntimeError(f"{self.name!r} runs without tracing: serve(..., trace=True)")
        deadline = time.monotonic() + settle
        while True:
            recorded = Trace.from_file(self.trace_file)
            if not _unfinished(recorded, self.pid, self.port) or time.monotonic() >= deadline:
                return recorded
            time.sleep(0.01)

    def _environment(self) -> tuple[str, dict[str, str]]:
        """The app path daphne runs and its environment."""
        env = dict(os.environ)
        path = os.pathsep.join([str(DEMO_DIR), str(REPO_ROOT), env.get("PYTHONPATH", "")])
        env.update(
            PYTHONPATH=path.rstrip(os.pathsep),
            DJANGO_SETTINGS_MODULE="config.settings",
            PYTHONUNBUFFERED="1",  # access-log lines reach the log file as they happen
        )
        hosts = links.allowed_hosts()
        if hosts and "DEMO_ALLOWED_HOSTS" not in env:
            env["DEMO_ALLOWED_HOSTS"] = ",".join(hosts)
        env.update(self.extra_env)
        app = self.app
        if self.trace_file is not None:
            self.trace_file.unlink(missing_ok=True)  # a fresh server starts a fresh trace
            app, trace_env = subprocess_env(self.app, self.trace_file)
            env.update(trace_env)
        return app, env

    def argv(self, app: str, fd: int) -> list[str]:
        """The command line: daphne on the inherited socket, *self.args* before the app."""
        return [sys.executable, "-m", "daphne", "-v", "1", "--fd", str(fd), *self.args, app]

    def _start(self) -> None:
        app, env = self._environment()
        sock = _listen(self.port)  # a restart keeps its port when it can
        try:
            self.port = sock.getsockname()[1]
            argv = self.argv(app, sock.fileno())
            self.command = typed(argv, DEMO_DIR)
            self._proc = forkserver.spawn(
                argv,
                log_path=self.log_path,
                cwd=DEMO_DIR,
                env=env,
                pass_fds=[sock.fileno()],
            )
        finally:
            sock.close()  # the server holds its own copy now
        # Both daphne and uvicorn answer the probe's malformed request with "400 Bad Request".
        self._wait_until(lambda left: _speaks_http(self.port, left), self.timeout)

    def _links(self) -> list[tuple[str, str]]:
        shown = [("direct", self.url)]
        if links.in_jupyter():
            shown.append(("through Jupyter", self.proxy_url()))
        return shown


def serve(
    app: str = DEFAULT_APP,
    *,
    name: str | None = None,
    env: Mapping[str, str] | None = None,
    trace: bool = False,
    args: Sequence[str] = (),
    timeout: float = 10,
) -> Server:
    """Start daphne serving *app* (``module:attribute``) and return once it answers HTTP.

    *name* (default: *app*) identifies the server: serving the same name again stops the
    old one first. *env* adds environment variables (e.g. ``redis.env()``); *args* adds
    daphne options; *trace* records every ASGI event (see ``Server.trace``). Raises
    RuntimeError, quoting the end of the log, if daphne exits or is not ready in *timeout* s.
    """
    server = Server(app, name=name, env=env, trace=trace, args=args, timeout=timeout)
    return server._launch()
