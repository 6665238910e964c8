"""The same app under uvicorn instead of daphne, started the same safe way.

>>> server = serve_uvicorn("basics.raw:app")   # on a free port, like course.serve()
>>> server.url, server.ws_url("ws/echo/async/"), print(server.logs())
>>> server.stop()

Everything but the command line (``argv``) comes from ``course.live.servers.Server``: the socket the
kernel binds and hands over (``--fd``), the environment (the demo's settings, tracing),
the log file, the registry (serving the same name again replaces the old server), and
the death signal that ties uvicorn to the kernel (``course.live._spawn``), and the fork
server it starts from (``course.live.forkserver``).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import ClassVar

from course.live.servers import DEFAULT_APP, Server

__all__ = ["UvicornServer", "serve_uvicorn"]


class UvicornServer(Server):
    """A uvicorn subprocess serving one ASGI app on 127.0.0.1."""

    kind: ClassVar[str] = "uvicorn"

    def argv(self, app: str, fd: int) -> list[str]:
        """The command line: uvicorn on the inherited socket, *self.args* before the app."""
        return [sys.executable, "-m", "uvicorn", "--fd", str(fd), *self.args, app]


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
