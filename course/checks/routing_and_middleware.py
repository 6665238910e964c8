"""Lesson 05's first exercise: a middleware that tags each connection with an id and turns
banned clients away, without touching the scope it was given (the second, seed-stack, is in
routing_and_middleware_seed_stack.py).

Each check plays the server (course/checks/_support/middleware.py): it builds a scope by hand, calls
the student's middleware in front of a recording inner app, and reads what came out.
"""

from __future__ import annotations

from typing import Any

from course.checking.model import Exercise, Fail, expect
from course.checks._support.http import read_response
from course.checks._support.middleware import A, Inner, Served, Shape, build, differs, served
from course.scopes import http_scope, websocket_scope
from course.types import Scope

LESSON = "05-routing-and-middleware"

request_id = Exercise("request-id", LESSON)
EXERCISES = [request_id]

NAME = "RequestIdMiddleware"
SHAPE = Shape(NAME, "def __init__(self, inner, banned=BANNED)", "banned={...}", factory_too=True)
BANNED = "203.0.113.7"  # addresses from the documentation ranges (RFC 5737)
ALLOWED = "198.51.100.20"
OTHER = "192.0.2.44"  # banned by a second middleware, built with a set of its own


def scope_for(kind: str, client: str) -> Scope:
    """The scope a server builds for GET /hello (http) or a handshake to /ws/echo/ (websocket)."""
    if kind == "http":
        return {**http_scope("/hello"), "client": (client, 50000)}
    return {**websocket_scope("/ws/echo/"), "client": (client, 50001)}


def _build(middleware_class: Any, inner: Inner) -> Any:
    """``RequestIdMiddleware(inner, banned={BANNED})``, with a clear Fail if it cannot be built."""
    return build(SHAPE, middleware_class, inner, banned={BANNED})


async def run(middleware_class: Any, kind: str, client: str) -> Served:
    """One connection of *kind* ("http" or "websocket") from *client*, through a new middleware."""
    inner = Inner()
    return await through(_build(middleware_class, inner), inner, kind, client)


async def through(middleware: Any, inner: Inner, kind: str, client: str) -> Served:
    """One connection of *kind* from *client* through *middleware*, in front of *inner*."""
    return await served(middleware, inner, scope_for(kind, client))


def passed_on(result: Served) -> Scope:
    """The scope the inner app got; Fail if it was never called."""
    expect(
        result.inner.scopes,
        f"for {result.a} connection from an allowed client, the inner app was never called: "
        "pass the connection on with "
        "`await self.inner(dict(scope, request_id=...), receive, send)`.",
    )
    return result.inner.scopes[-1]


def request_id_of(result: Served) -> str:
    """The request_id the inner app got; Fail unless it is a non-empty str."""
    expect(
        "request_id" in passed_on(result),
        f"the scope the inner app got for {result.a} connection has no 'request_id' key: "
        "pass it a copy with the id added, dict(scope, request_id=...).",
    )
    value = passed_on(result)["request_id"]
    expect(
        isinstance(value, str) and value,
        f"scope['request_id'] is {value!r} ({type(value).__name__}): make it a non-empty "
        "str, e.g. uuid.uuid4().hex or str(uuid.uuid4()).",
    )
    return str(value)


async def allowed(middleware_class: Any, kind: str) -> Served:
    """A connection from an allowed client; Fail unless the inner app got the server's scope
    with a request_id added and nothing else changed."""
    result = await run(middleware_class, kind, ALLOWED)
    request_id_of(result)
    changed = differs(
        result.before, {k: v for k, v in passed_on(result).items() if k != "request_id"}
    )
    expect(
        not changed,
        f"for {result.a} connection the inner app got a scope that differs from the server's in "
        f"{changed}: add request_id and keep everything else as it was.",
    )
    return result


async def banned(middleware_class: Any, kind: str) -> Served:
    """A connection from the banned client; Fail if the inner app was called for it."""
    result = await run(middleware_class, kind, BANNED)
    expect(
        not result.inner.scopes,
        f"the inner app was called for {result.a} connection from the banned client "
        f"{BANNED}: check scope['client'][0] against self.banned first, answer the client "
        "yourself, and return without awaiting self.inner.",
    )
    await _own_set(middleware_class, kind)
    return result


async def _own_set(middleware_class: Any, kind: str) -> None:
    """A middleware built with another banned set refuses that set's client, and only it."""
    inner = Inner()
    middleware = build(SHAPE, middleware_class, inner, banned={OTHER})
    for client, refuse in ((BANNED, False), (OTHER, True)):
        called = len(inner.scopes)
        sent = (await through(middleware, inner, kind, client)).sent
        was = "let in" if len(inner.scopes) > called else "refused" if sent else "ignored"
        expect(
            was in ("refused" if refuse else ("let in", "ignored")),  # ignored: told elsewhere
            f"a middleware built with banned={{{OTHER!r}}} {was} {A[kind]} connection from "
            f"{client}: compare the client with self.banned, the set this middleware was "
            "given, not with the notebook's BANNED.",
        )


# ---- passing allowed connections on -------------------------------------------------------


@request_id.check("an allowed HTTP request reaches the inner app with a request_id, and its answer")
async def passes_http_on(RequestIdMiddleware: Any) -> None:
    result = await allowed(RequestIdMiddleware, "http")
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
    result = await allowed(RequestIdMiddleware, "websocket")
    types = result.types
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
            f"after {result.a} connection the server's own scope has a 'request_id' key: your "
            "middleware wrote into the scope it was given, so every layer outside it sees the "
            "change. Give the inner app a new dict: dict(scope, request_id=...).",
        )
        changed = differs(result.before, result.scope)
        expect(
            not changed,
            f"after {result.a} connection the server's own scope changed in {changed}: "
            "never edit the scope you are given; copy it.",
        )


@request_id.check("gives every connection a fresh id")
async def fresh_id_per_connection(RequestIdMiddleware: Any) -> None:
    inner = Inner()
    middleware = _build(RequestIdMiddleware, inner)
    ids = []
    for kind in ("http", "websocket") * 3:
        result = await through(middleware, inner, kind, ALLOWED)
        ids.append(request_id_of(result))
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise Fail(
            f"{len(ids)} connections through one middleware got only {len(set(ids))} different "
            f"ids ({repeated[0]!r} more than once): make a new id inside __call__ for each "
            "connection (e.g. uuid.uuid4().hex), not once in __init__."
        )


# ---- turning banned clients away ----------------------------------------------------------


@request_id.check("a banned client's HTTP request gets 403, and the inner app is never called")
async def refuses_banned_http(RequestIdMiddleware: Any) -> None:
    result = await banned(RequestIdMiddleware, "http")
    response = read_response(result.sent, f"GET /hello from {BANNED}", NAME)
    expect(
        response.status == 403,
        f"the banned client's HTTP request got status {response.status}: answer 403.",
    )


@request_id.check("a banned client's WebSocket is closed before accept (a 403), inner never called")
async def refuses_banned_websocket(RequestIdMiddleware: Any) -> None:
    result = await banned(RequestIdMiddleware, "websocket")
    types = result.types
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
