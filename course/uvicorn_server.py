"""The same app under uvicorn instead of daphne, started the same safe way.

>>> server = serve_uvicorn("basics.raw:app")   # on a free port, like course.serve()
>>> server.url, server.ws_url("ws/echo/async/"), print(server.logs())
>>> server.stop()

Everything but the command line comes from ``course.servers.Server``: the socket the
kernel binds and hands over (``--fd``), the environment (the demo's settings, tracing),
the log file, the registry (serving the same name again replaces the old server), and
the death signal that ties uvicorn to the kernel (``course._spawn``).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import ClassVar

from course import _spawn
from course._paths import DEMO_DIR
from course.servers import DEFAULT_APP, Server, _listen, _speaks_http

__all__ = ["UvicornServer", "serve_uvicorn"]


class UvicornServer(Server):
    """A uvicorn subprocess serving one ASGI app on 127.0.0.1."""

    kind: ClassVar[str] = "uvicorn"

    def argv(self, app: str, fd: int) -> list[str]:
        """The command line: uvicorn on the inherited socket, *self.args* before the app."""
        return [sys.executable, "-m", "uvicorn", "--fd", str(fd), *self.args, app]

    def _start(self) -> None:
        app, env = self._environment()
        sock = _listen(self.port)  # a restart keeps its port when it can
        try:
            self.port = sock.getsockname()[1]
            self._proc = _spawn.spawn(
                self.argv(app, sock.fileno()),
                log_path=self.log_path,
                cwd=DEMO_DIR,
                env=env,
                pass_fds=[sock.fileno()],
            )
        finally:
            sock.close()  # uvicorn holds its own copy now
        # uvicorn, like daphne, answers the probe's malformed request with "400 Bad Request".
        self._wait_until(lambda left: _speaks_http(self.port, left), self.timeout)


def serve_uvicorn(
    app: str = DEFAULT_APP,
    *,
    name: str | None = None,
    env: Mapping[str, str] | None = None,
    trace: bool = False,
    args: Sequence[str] = (),
    timeout: float = 10,
) -> UvicornServer:
    """Start uvicorn serving *app* (``module:attribute``) and return once it answers HTTP.

    The arguments are ``course.serve``'s; *args* are uvicorn options, e.g.
    ``["--lifespan", "on"]``. Raises RuntimeError, quoting the end of the log, if uvicorn
    exits (a failed lifespan startup, say) or is not ready in *timeout* s.
    """
    server = UvicornServer(app, name=name, env=env, trace=trace, args=args, timeout=timeout)
    return server._launch()
