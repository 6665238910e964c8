"""What the middleware exercises share (lessons 05 and 12): the student's middleware built in
front of a recording inner app, one connection played through it, and the scope the server
gave kept with a copy of it as it was, to see what the middleware changed.

Two servers play the connection. ``served()`` sends the usual messages and records whatever
the middleware sends (``course.tracing.call``), so that a check can say what is wrong with
an HTTP answer to a WebSocket. ``talked()`` goes through lesson 03's StrictServer, here one
that paces the client's frames (lesson 13's rate limit).
"""

from __future__ import annotations

import asyncio
import copy
import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from course.checking.model import Fail, expect
from course.checks._support.websocket import Conversation, Judge, StrictServer, serve
from course.tracing import call
from course.types import Message, Receive, Scope, Send

A = {"http": "an HTTP", "websocket": "a WebSocket"}  # for messages: "for a WebSocket connection"


def differs(before: Scope, after: Scope) -> str:
    """The keys whose values differ, quoted and comma-separated ("" when none)."""
    keys = before.keys() | after.keys()
    return ", ".join(repr(k) for k in sorted(keys) if before.get(k) != after.get(k))


@dataclass
class Inner:
    """The app behind the middleware: keeps every scope and message it gets, and answers like
    a good app: 200 to an HTTP request; a WebSocket accepted, each frame echoed until it ends."""

    scopes: list[Scope] = field(default_factory=list)
    received: list[Message] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not isinstance(scope, Mapping):
            raise Fail(
                f"the inner app was called with scope={scope!r}, not a dict: .update(...) "
                "changes a dict in place and returns None. Build the new scope with "
                "dict(scope, key=value), which returns it."
            )
        self.scopes.append(scope)
        if scope.get("type") != "websocket":
            await receive()  # http.request
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"from the inner app"})
            return
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while True:
            message = await receive()
            self.received.append(message)
            if message.get("type") != "websocket.receive":
                return
            await send({"type": "websocket.send", "text": f"echo: {message.get('text')}"})

    @property
    def frames(self) -> list[Any]:
        return [m.get("text") for m in self.received if m.get("type") == "websocket.receive"]


@dataclass(frozen=True)
class Shape:
    """How an exercise writes its middleware: a class called as ``name(inner, **options)``."""

    name: str  # "RequestIdMiddleware"
    init: str  # the exercise's own __init__ line, quoted when the checks cannot call it
    options: str  # how the checks call it, e.g. "banned={...}"
    factory_too: bool = False  # a function that returns an async app does as well


def build(shape: Shape, middleware_class: Any, inner: Inner, **options: Any) -> Any:
    """``middleware_class(inner, **options)``, with a clear Fail if it cannot be built."""
    name = shape.name
    expect(
        callable(middleware_class),
        f"{name} is {middleware_class!r}, not a class: keep `class {name}:` from the exercise.",
    )
    try:
        middleware = middleware_class(inner, **options)
    except TypeError as error:
        raise Fail(
            f"{name}(inner, {shape.options}) raised TypeError: {error}. Keep the exercise's "
            f"`{shape.init}`."
        ) from error
    expect(
        inspect.iscoroutinefunction(type(middleware).__call__)
        or (shape.factory_too and inspect.iscoroutinefunction(middleware)),
        f"{name}.__call__ is not async: write `async def __call__(self, scope, receive, send):`.",
    )
    return middleware


@dataclass
class Run:
    """One connection through the middleware: the scope given (and a copy), the inner app."""

    scope: Scope
    before: Scope
    inner: Inner

    @property
    def a(self) -> str:
        """'an HTTP' or 'a WebSocket', as in "for a WebSocket connection"."""
        return A[self.scope["type"]]


@dataclass
class Served(Run):
    """A connection played by ``served()``: every message that reached the server."""

    sent: list[dict[str, Any]]

    @property
    def types(self) -> list[Any]:
        """The type of each message the middleware (or the inner app) sent the server."""
        return [m.get("type") for m in self.sent]


@dataclass
class Talked(Run):
    """A connection played by ``talked()``: the strict server's account of it."""

    talk: Conversation


async def served(middleware: Any, inner: Inner, scope: Scope) -> Served:
    """One connection with ``scope``: http.request, or websocket.connect then disconnect."""
    before = copy.deepcopy(scope)
    conn = await call(middleware, scope, stop_after=1.0)
    return Served(scope, before, inner, conn.messages(direction="send"))


class PacedServer(StrictServer):
    """A StrictServer that waits ``pauses[i]`` seconds before handing over frame ``i``."""

    def __init__(
        self,
        frames: Sequence[str],
        pauses: Mapping[int, float],
        name: str,
        judge: Judge | None = None,
    ) -> None:
        super().__init__([], frames, name, judge)
        self.pauses = dict(pauses)
        self.handed = 0

    async def receive(self) -> Message:
        talk = self.talk
        if self.connected and talk.accepted is not None and talk.closed is None and self.frames:
            await asyncio.sleep(self.pauses.get(self.handed, 0))
            self.handed += 1
        return await super().receive()

    async def send(self, message: Message) -> None:
        if (
            not self.connected
            and isinstance(message, dict)
            and message.get("type") == ("websocket.close")
        ):
            # A refusal sent before reading websocket.connect: daphne answers 403 all the
            # same, and lesson 05 refuses that way, so take it as read.
            self.connected = True
        await super().send(message)


async def talked(
    middleware: Any,
    inner: Inner,
    scope: Scope,
    server: StrictServer,
    limit: float = 1.0,
) -> Talked:
    """One connection with ``scope`` through ``server``, for at most ``limit`` seconds."""
    before = copy.deepcopy(scope)
    talk = await serve(middleware, scope, server, limit=limit)
    return Talked(scope, before, inner, talk)


__all__ = [
    "Inner",
    "PacedServer",
    "Run",
    "Served",
    "Shape",
    "Talked",
    "build",
    "differs",
    "served",
    "talked",
]
