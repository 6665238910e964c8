"""What lesson 05's checks share: a server's scope, a recording inner app, and one connection
through the student's RequestIdMiddleware, with what came out (``course.tracing.call``).
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass, field
from typing import Any

from course.checking.model import Fail, expect
from course.scopes import http_scope, websocket_scope
from course.tracing import call
from course.types import Receive, Scope, Send

NAME = "RequestIdMiddleware"
BANNED = "203.0.113.7"  # addresses from the documentation ranges (RFC 5737)
ALLOWED = "198.51.100.20"
A = {"http": "an HTTP", "websocket": "a WebSocket"}  # for messages: "for a WebSocket connection"


def scope_for(kind: str, client: str) -> Scope:
    """The scope a server builds for GET /hello (http) or a handshake to /ws/echo/ (websocket)."""
    if kind == "http":
        return {**http_scope("/hello"), "client": (client, 50000)}
    return {**websocket_scope("/ws/echo/"), "client": (client, 50001)}


def differs(before: Scope, after: Scope) -> str:
    """The keys whose values differ, quoted and comma-separated ("" when none)."""
    keys = before.keys() | after.keys()
    return ", ".join(repr(k) for k in sorted(keys) if before.get(k) != after.get(k))


@dataclass
class Inner:
    """The app behind the middleware: keeps every scope it gets, then answers like a good app."""

    scopes: list[Scope] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scopes.append(scope)
        if scope.get("type") == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})
            await receive()  # websocket.disconnect
        else:
            await receive()  # http.request
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"from the inner app"})


@dataclass
class Run:
    """One connection through the middleware: the scope given, what reached inner, what was sent."""

    scope: Scope
    before: Scope
    inner: Inner
    sent: list[dict[str, Any]]

    @property
    def a(self) -> str:
        """'an HTTP' or 'a WebSocket', as in "for a WebSocket connection"."""
        return A[self.scope["type"]]

    @property
    def types(self) -> list[Any]:
        """The type of each message the middleware (or the inner app) sent the server."""
        return [m.get("type") for m in self.sent]

    @property
    def passed_on(self) -> Scope:
        expect(
            self.inner.scopes,
            f"for {self.a} connection from an allowed client, the inner app was never called: "
            "pass the connection on with "
            "`await self.inner(dict(scope, request_id=...), receive, send)`.",
        )
        return self.inner.scopes[-1]

    def request_id(self) -> str:
        """The request_id the inner app got; Fail unless it is a non-empty str."""
        expect(
            "request_id" in self.passed_on,
            f"the scope the inner app got for {self.a} connection has no 'request_id' key: "
            "pass it a copy with the id added, dict(scope, request_id=...).",
        )
        value = self.passed_on["request_id"]
        expect(
            isinstance(value, str) and value,
            f"scope['request_id'] is {value!r} ({type(value).__name__}): make it a non-empty "
            "str, e.g. uuid.uuid4().hex or str(uuid.uuid4()).",
        )
        return str(value)


def build(middleware_class: Any, inner: Inner) -> Any:
    """``RequestIdMiddleware(inner, banned={BANNED})``, with a clear Fail if it cannot be built."""
    expect(
        callable(middleware_class),
        f"{NAME} is {middleware_class!r}, not a class: keep `class {NAME}:` from the exercise.",
    )
    try:
        middleware = middleware_class(inner, banned={BANNED})
    except TypeError as error:
        raise Fail(
            f"{NAME}(inner, banned={{...}}) raised TypeError: {error}. Keep the exercise's "
            "`def __init__(self, inner, banned=BANNED)`."
        ) from error
    expect(
        inspect.iscoroutinefunction(middleware)
        or inspect.iscoroutinefunction(type(middleware).__call__),
        f"{NAME}.__call__ is not async: write `async def __call__(self, scope, receive, send):`.",
    )
    return middleware


async def run(middleware_class: Any, kind: str, client: str) -> Run:
    """One connection of *kind* ("http" or "websocket") from *client*, through a new middleware."""
    inner = Inner()
    return await through(build(middleware_class, inner), inner, kind, client)


async def through(middleware: Any, inner: Inner, kind: str, client: str) -> Run:
    """One connection of *kind* from *client* through *middleware*, in front of *inner*."""
    scope = scope_for(kind, client)
    before = copy.deepcopy(scope)
    conn = await call(middleware, scope, stop_after=1.0)  # http.request; or connect, disconnect
    return Run(scope, before, inner, conn.messages(direction="send"))
