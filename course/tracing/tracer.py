"""See the scope and the events of your own traffic: a tracer for any ASGI app.

    tracer = trace(application)    # still an ASGI app: serve it or hand it to a communicator
    ...                            # make some requests
    tracer.last                    # the latest connection, drawn as a sequence diagram
    tracer.last.table()            # its events as a table; tracer.table() for all of them

It grows from uvicorn's MessageLoggerMiddleware: wrap receive and send, pass every
message through unchanged, and keep a copy.
"""

import asyncio
import itertools
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from course.tracing.codec import plain
from course.tracing.model import Connection, Direction, Event, Trace
from course.types import ASGIApp, Message, Receive, Scope, Send

Sink = Callable[[Mapping[str, Any]], None]

logger = logging.getLogger(__name__)


class Tracer(Trace):
    """An ASGI app that records every connection to ``app`` and changes nothing.

    ``sink`` (optional) is called with one JSON-friendly record per scope, event and
    end; ``keep`` is how many connections stay in memory (None: all, 0: none).
    """

    def __init__(self, app: ASGIApp, *, sink: Sink | None = None, keep: int | None = 200) -> None:
        super().__init__()
        self.app = app
        self.sink = sink
        self.keep = keep
        self._ids = itertools.count(1)
        self._pid = os.getpid()

    def clear(self) -> None:
        """Forget the connections recorded so far; numbering starts again at 1."""
        self.connections.clear()
        self._ids = itertools.count(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        conn, start = self._open(scope)
        await self._run(conn, start, scope, receive, send)

    def _open(self, scope: Scope) -> tuple[Connection, float]:
        # Both clocks read together, before copying the scope: events are placed at
        # started_at + (perf_counter() - start), so connections interleave in true order.
        start, started_at = time.perf_counter(), time.time()
        conn = Connection(next(self._ids), plain(scope), started_at=started_at)
        if self.keep != 0:
            self.connections.append(conn)
            if self.keep is not None:
                del self.connections[: -self.keep]
        self._emit({"record": "scope", "conn": conn.id, "at": conn.started_at, "scope": conn.scope})
        return conn, start

    async def _run(
        self, conn: Connection, start: float, scope: Scope, receive: Receive, send: Send
    ) -> None:
        def record(direction: Direction, message: Message) -> None:
            event = Event(time.perf_counter() - start, direction, plain(message))
            conn.events.append(event)
            self._emit({"record": "event", "conn": conn.id, "t": event.t,
                        "direction": direction, "message": event.message})  # fmt: skip

        async def traced_receive() -> Message:
            message = await receive()
            record("receive", message)
            return message

        async def traced_send(message: Message) -> None:
            record("send", message)
            await send(message)

        try:
            await self.app(scope, traced_receive, traced_send)
        except BaseException as exc:
            text = str(exc)
            conn.error = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
            raise
        finally:
            conn.ended = time.perf_counter() - start
            self._emit({"record": "end", "conn": conn.id, "t": conn.ended, "error": conn.error})

    def _emit(self, record: dict[str, Any]) -> None:
        if self.sink is None:
            return
        try:
            self.sink({**record, "pid": self._pid})
        except Exception:  # a broken sink must not break the app it watches
            logger.exception("trace sink failed; the app goes on untraced")
            self.sink = None


def trace(app: ASGIApp, *, sink: Sink | None = None, keep: int | None = 200) -> Tracer:
    """Wrap ``app`` in a Tracer: ``tracer = trace(application)``."""
    return Tracer(app, sink=sink, keep=keep)


def _default_messages(scope: Scope) -> list[dict[str, Any]]:
    kind = scope.get("type")
    if kind == "http":
        return [{"type": "http.request", "body": b"", "more_body": False}]
    if kind == "websocket":
        return [{"type": "websocket.connect"}, {"type": "websocket.disconnect", "code": 1000}]
    if kind == "lifespan":
        return [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    return []


async def call(
    app: ASGIApp,
    scope: Scope,
    messages: Iterable[Mapping[str, Any]] | None = None,
    *,
    stop_after: float = 3.0,
) -> Connection:
    """Call ``app`` once with ``scope``, feed it ``messages``, return the traced Connection.

    Like a server whose client has nothing more to say, receive() blocks once the
    messages run out. Without messages, a plain request (http), connect then
    disconnect (websocket), or startup then shutdown (lifespan) is sent. An app still
    running after ``stop_after`` seconds is cancelled; an app that raises, raises here.
    """
    tracer = app if isinstance(app, Tracer) else Tracer(app)
    script = [dict(m) for m in (_default_messages(scope) if messages is None else messages)]
    silence: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def receive() -> Message:
        if script:
            return script.pop(0)
        await silence  # never resolves: the client says nothing more
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        pass

    conn, start = tracer._open(scope)
    task = asyncio.ensure_future(tracer._run(conn, start, scope, receive, send))
    try:
        await asyncio.wait([task], timeout=stop_after)
    finally:
        if not task.done():
            task.cancel()
            await asyncio.wait([task])
    if not task.cancelled() and task.exception() is not None:
        task.result()  # re-raise the app's exception
    return conn


__all__ = ["Sink", "Tracer", "call", "trace"]
