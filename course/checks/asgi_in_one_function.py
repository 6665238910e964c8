"""Lesson 01's exercises: write an ASGI app, then be the server that calls one."""

from __future__ import annotations

from typing import Any

from course.checking.model import Exercise, Fail, expect
from course.checks._support.http import (
    Called,
    Response,
    expect_async_app,
    expect_plain_text,
    respond,
)
from course.types import Receive, Scope, Send

LESSON = "01-asgi-in-one-function"

greeting = Exercise("greeting-app", LESSON)
by_hand = Exercise("call-by-hand", LESSON)
EXERCISES = [greeting, by_hand]


# ---- greeting-app: an ASGI app by hand ------------------------------------------------------


async def _greet(greeting_app: Any, target: str) -> Response:
    expect_async_app(greeting_app, "greeting_app", "scope, receive, send")
    return await respond(greeting_app, target, "greeting_app")


@greeting.check("GET /hello?name=Ada answers 200, text/plain, Hello, Ada!")
async def greets_by_name(greeting_app: Any) -> None:
    response = await _greet(greeting_app, "/hello?name=Ada")
    expect(response.status == 200, f"GET /hello?name=Ada answered {response.status}; expected 200.")
    expect(
        response.body != b"Hello, world!",
        "GET /hello?name=Ada answered b'Hello, world!': greeting_app ignored the name in the "
        "query string. Read it from scope['query_string'] with "
        "parse_qs(scope['query_string'].decode()).",
    )
    expect(
        response.body == b"Hello, Ada!",
        f"GET /hello?name=Ada answered {response.body!r}; expected b'Hello, Ada!'.",
    )
    expect_plain_text(response)


@greeting.check("GET /hello with no name answers Hello, world!")
async def greets_the_world(greeting_app: Any) -> None:
    try:
        response = await _greet(greeting_app, "/hello")
    except (KeyError, IndexError, TypeError) as error:
        try:  # the same app with a name: if that works, the missing name is the cause
            await _greet(greeting_app, "/hello?name=Ada")
        except Exception:
            raise error from None
        raise Fail(
            f"GET /hello has no name in the query string, and greeting_app raised "
            f"{type(error).__name__}: {error}. With no name=, parse_qs(...) gives {{}}: fall "
            "back to the world, query.get('name', ['world'])[0]."
        ) from error
    expect(
        response.body == b"Hello, world!",
        f"GET /hello answered {response.body!r}; expected "
        "b'Hello, world!' (with no name in the query string, greet the world).",
    )


@greeting.check("GET /hello?name=Ada%20Lovelace decodes the query: Hello, Ada Lovelace!")
async def decodes_the_query(greeting_app: Any) -> None:
    response = await _greet(greeting_app, "/hello?name=Ada%20Lovelace")
    hint = ""
    if b"%20" in response.body or b"+" in response.body:
        hint = (
            " The query string arrives URL-encoded: decode it with "
            "urllib.parse.parse_qs(scope['query_string'].decode())."
        )
    expect(
        response.body == b"Hello, Ada Lovelace!",
        f"GET /hello?name=Ada%20Lovelace answered "
        f"{response.body!r}; expected b'Hello, Ada Lovelace!'.{hint}",
    )


@greeting.check("any other path answers 404 with a body")
async def other_paths_are_not_found(greeting_app: Any) -> None:
    response = await _greet(greeting_app, "/nope")
    expect(
        response.status == 404,
        f"GET /nope answered {response.status}: look at scope['path'] "
        "and answer any path other than /hello with status 404.",
    )
    # Paths that only start like /hello: a prefix match (startswith) would greet them.
    for path in ("/hello/ada", "/helloworld"):
        near = await _greet(greeting_app, path)
        expect(
            near.status == 404,
            f"GET {path} answered {near.status}: only the path /hello itself greets. "
            "Compare scope['path'] == '/hello' rather than matching its start "
            "(startswith('/hello') also takes /hello/ada and /helloworld).",
        )
    expect(response.body, "the 404 has an empty body: say what went wrong, e.g. b'Not found'.")


# ---- call-by-hand: be the server ------------------------------------------------------------


async def _hello(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hi"})


async def _answers_201(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 201, "headers": []})
    await send({"type": "http.response.body", "body": b"seen"})


async def _in_pieces(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    for piece in (b"Hel", b"lo, ", b"pieces"):
        await send({"type": "http.response.body", "body": piece, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def _reads_twice(scope: Scope, receive: Receive, send: Send) -> None:
    request = await receive()
    expect(
        request.get("type") == "http.request",
        f"the app's first receive() returned "
        f"{request!r}; a server first hands an HTTP app {{'type': 'http.request', 'body': b'', "
        "'more_body': False}.",
    )
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"done"})
    after = await receive()
    expect(
        after.get("type") == "http.disconnect",
        f"after its response the app awaited receive() "
        f"again and got {after!r}: once the request is over, a server answers "
        "{'type': 'http.disconnect'}.",
    )


async def _run(call_app: Any, app: Any, target: str, called: Called | None = None) -> Any:
    """``call_app(app, target)``, the app watched (``called``); Fail unless it ran and the
    result is (status, body bytes)."""
    expect_async_app(call_app, "call_app", "app, path")
    called = called or Called(app, "call_app")
    try:
        result = await call_app(called, target)
    except NotImplementedError:
        raise
    except Exception as error:
        if not called.ran():
            raise called.never_ran() from error
        raise
    if not called.ran():
        raise called.never_ran()
    expect(
        isinstance(result, tuple) and len(result) == 2,
        f"call_app returned {result!r}: return a tuple (status, body), e.g. (200, b'hi').",
    )
    body = result[1]
    expect(
        isinstance(body, bytes),
        f"call_app returned the body as {type(body).__name__} {body!r}: return one bytes "
        'object, the bodies of every http.response.body joined: b"".join(...).',
    )
    return result


@by_hand.check("returns (status, body) from a simple app")
async def returns_status_and_body(call_app: Any) -> None:
    result = await _run(call_app, _hello, "/")
    expect(
        result == (200, b"hi"),
        f"for an app that sends status 200 and body b'hi', call_app "
        f"returned {result!r}: take the status from http.response.start and the body from "
        "http.response.body.",
    )


@by_hand.check("builds a scope with type, method, path and query_string")
async def builds_a_scope(call_app: Any) -> None:
    called = Called(_answers_201, "call_app")
    status, _ = await _run(call_app, _answers_201, "/items?page=2", called)
    scope = called.scopes[-1]
    for key in ("type", "method", "path", "query_string", "headers"):
        expect(
            key in scope,
            f"the scope call_app built has no {key!r} key: an app reads scope['{key}'] "
            "(see the scope of a real request in the lesson).",
        )
    expect(
        scope["type"] == "http",
        f"for GET /items?page=2 call_app built a scope whose type is {scope['type']!r}"
        + (
            ": 'http.request' is the type of a message (what receive() returns); the "
            "scope's own type is 'http'."
            if scope["type"] == "http.request"
            else "; an HTTP scope's type is 'http'."
        ),
    )
    expect(scope["method"] == "GET", f"scope['method'] is {scope['method']!r}; expected 'GET'.")
    query = scope["query_string"]
    expect(
        scope["path"] == "/items",
        f"for GET /items?page=2 scope['path'] is {scope['path']!r}: the path stops at '?', "
        "and the rest is the query string: path.partition('?').",
    )
    expect(
        not isinstance(query, str),
        f"scope['query_string'] is the str {query!r}: the query string is bytes: query.encode().",
    )
    expect(query == b"page=2", f"scope['query_string'] is {query!r}; expected b'page=2'.")
    expect(status == 201, f"the app answered 201, call_app returned {status}.")


@by_hand.check("joins a body sent in pieces (more_body)")
async def joins_the_pieces(call_app: Any) -> None:
    _, body = await _run(call_app, _in_pieces, "/")
    expect(
        body == b"Hello, pieces",
        f"the app sent its body in pieces (more_body=True on all but "
        f"the last); call_app returned {body!r}. Keep every http.response.body and join them.",
    )


@by_hand.check(
    "hands the app http.request, then http.disconnect",
    on_timeout="call_app did not return within the time limit: the app awaited receive() again "
    "after its response, and your receive never answered. A server answers {'type': "
    "'http.disconnect'} once the request is over.",
)
async def request_then_disconnect(call_app: Any) -> None:
    status, body = await _run(call_app, _reads_twice, "/")
    expect(
        (status, body) == (200, b"done"),
        f"call_app returned {(status, body)!r}; expected (200, b'done').",
    )
