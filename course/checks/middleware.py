"""Lesson 05's exercise: a middleware that tags each connection with an id and turns banned
clients away, without touching the scope it was given.

Each check plays the server: it builds a scope by hand, calls the student's middleware in
front of a recording inner app, and reads what came out (``course.trace.call``).
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass, field
from typing import Any

from course.asgi_types import Message, Receive, Scope, Send
from course.checks._http import read_response
from course.grading.model import Exercise, Fail, expect
from course.scopes import http_scope
from course.trace import call

LESSON = "05-routing-and-middleware"
NAME = "RequestIdMiddleware"

request_id = Exercise("request-id", LESSON)
EXERCISES = [request_id]

BANNED = "203.0.113.7"  # addresses from the documentation ranges (RFC 5737)
ALLOWED = "198.51.100.20"
A = {"http": "an HTTP", "websocket": "a WebSocket"}  # for messages: "for a WebSocket connection"
WS_MESSAGES: list[Message] = [
    {"type": "websocket.connect"},
    {"type": "websocket.disconnect", "code": 1000},
]


def _scope(kind: str, client: str) -> Scope:
    """The scope a server builds for GET /hello (http) or a handshake to /ws/echo/ (websocket)."""
    if kind == "http":
        return {**http_scope("/hello"), "client": (client, 50000)}
    scope = {**http_scope("/ws/echo/"), "type": "websocket", "scheme": "ws", "subprotocols": []}
    del scope["method"]
    return {**scope, "client": (client, 50001)}


def _changed(before: Scope, after: Scope) -> str:
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
    def passed_on(self) -> Scope:
        expect(
            self.inner.scopes,
            f"for {A[self.scope['type']]} connection from an allowed client, the inner app was "
            "never called: pass the connection on with "
            "`await self.inner(dict(scope, request_id=...), receive, send)`.",
        )
        return self.inner.scopes[-1]


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
    scope = _scope(kind, client)
    before = copy.deepcopy(scope)
    messages = WS_MESSAGES if kind == "websocket" else None
    conn = await call(middleware, scope, messages, stop_after=1.0)
    return Run(scope, before, inner, conn.messages(direction="send"))


def _id_of(passed_on: Scope, kind: str) -> str:
    expect(
        "request_id" in passed_on,
        f"the scope the inner app got for {A[kind]} connection has no 'request_id' key: pass it "
        "a copy with the id added, dict(scope, request_id=...).",
    )
    value = passed_on["request_id"]
    expect(
        isinstance(value, str) and value,
        f"scope['request_id'] is {value!r} ({type(value).__name__}): make it a non-empty str, "
        "e.g. uuid.uuid4().hex or str(uuid.uuid4()).",
    )
    return str(value)


def _same_apart_from_the_id(run: Run, kind: str) -> None:
    changed = _changed(run.before, {k: v for k, v in run.passed_on.items() if k != "request_id"})
    expect(
        not changed,
        f"for {A[kind]} connection the inner app got a scope that differs from the server's in "
        f"{changed}: add request_id and keep everything else as it was.",
    )


# ---- passing allowed connections on -------------------------------------------------------


@request_id.check("an allowed HTTP request reaches the inner app with a request_id, and its answer")
async def passes_http_on(RequestIdMiddleware: Any) -> None:
    result = await run(RequestIdMiddleware, "http", ALLOWED)
    _id_of(result.passed_on, "http")
    _same_apart_from_the_id(result, "http")
    expect(
        len(result.inner.scopes) == 1,
        f"the inner app was called {len(result.inner.scopes)} times for one request: call it once.",
    )
    response = read_response(result.sent, "GET /hello", NAME)
    expect(
        (response.status, response.body) == (200, b"from the inner app"),
        f"the inner app answered 200 b'from the inner app', but the server got {response.status} "
        f"{response.body!r}: pass receive and send to the inner app unchanged.",
    )


@request_id.check("an allowed WebSocket reaches the inner app with a request_id, and is accepted")
async def passes_websocket_on(RequestIdMiddleware: Any) -> None:
    result = await run(RequestIdMiddleware, "websocket", ALLOWED)
    _id_of(result.passed_on, "websocket")
    _same_apart_from_the_id(result, "websocket")
    types = [m.get("type") for m in result.sent]
    expect(
        types == ["websocket.accept"],
        f"the inner app accepted the WebSocket, but the server got {types}: pass receive and "
        "send to the inner app unchanged, and send nothing yourself for an allowed client.",
    )


@request_id.check("leaves the scope it was given unchanged (the inner app gets a copy)")
async def copies_the_scope(RequestIdMiddleware: Any) -> None:
    for kind in ("http", "websocket"):
        result = await run(RequestIdMiddleware, kind, ALLOWED)
        expect(
            "request_id" not in result.scope,
            f"after {A[kind]} connection the server's own scope has a 'request_id' key: your "
            "middleware wrote into the scope it was given, so every layer outside it sees the "
            "change. Give the inner app a new dict: dict(scope, request_id=...).",
        )
        changed = _changed(result.before, result.scope)
        expect(
            not changed,
            f"after {A[kind]} connection the server's own scope changed in {changed}: "
            "never edit the scope you are given; copy it.",
        )


@request_id.check("gives every connection a fresh id")
async def fresh_id_per_connection(RequestIdMiddleware: Any) -> None:
    inner = Inner()
    middleware = build(RequestIdMiddleware, inner)
    ids = []
    for kind in ("http", "websocket") * 3:
        result = await through(middleware, inner, kind, ALLOWED)
        ids.append(_id_of(result.passed_on, kind))
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise Fail(
            f"{len(ids)} connections through one middleware got only {len(set(ids))} different "
            f"ids ({repeated[0]!r} more than once): make a new id inside __call__ for each "
            "connection (e.g. uuid.uuid4().hex), not once in __init__."
        )


# ---- turning banned clients away ----------------------------------------------------------


def _inner_not_called(result: Run, kind: str) -> None:
    expect(
        not result.inner.scopes,
        f"the inner app was called for {A[kind]} connection from the banned client "
        f"{BANNED}: check scope['client'][0] against self.banned first, answer the client "
        "yourself, and return without awaiting self.inner.",
    )


@request_id.check("a banned client's HTTP request gets 403, and the inner app is never called")
async def refuses_banned_http(RequestIdMiddleware: Any) -> None:
    result = await run(RequestIdMiddleware, "http", BANNED)
    _inner_not_called(result, "http")
    response = read_response(result.sent, f"GET /hello from {BANNED}", NAME)
    expect(
        response.status == 403,
        f"the banned client's HTTP request got status {response.status}: answer 403.",
    )


@request_id.check("a banned client's WebSocket is closed before accept (a 403), inner never called")
async def refuses_banned_websocket(RequestIdMiddleware: Any) -> None:
    result = await run(RequestIdMiddleware, "websocket", BANNED)
    _inner_not_called(result, "websocket")
    types = [m.get("type") for m in result.sent]
    expect(
        types,
        "for the banned client's WebSocket the middleware sent nothing: the client waits for "
        "an answer. Send {'type': 'websocket.close'}.",
    )
    expect(
        "websocket.accept" not in types,
        f"the banned client's WebSocket got {types}: accepted, then closed, so the client was "
        "connected for a moment. Send websocket.close without accepting first: a close before "
        "accept makes the server refuse the handshake with HTTP 403.",
    )
    expect(
        types == ["websocket.close"],
        f"the banned client's WebSocket got {types}: a WebSocket is refused with one message, "
        "{'type': 'websocket.close'} (an HTTP response is for http scopes).",
    )
