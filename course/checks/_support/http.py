"""What checks of raw HTTP apps share: a real-looking scope, and a strict reading of a response.

``respond()`` plays a server that is stricter than most: every rule a real server
enforces (or quietly works around) becomes a message that says which rule was broken.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from course.checking.model import Fail, expect
from course.scopes import http_scope
from course.tracing import call
from course.types import ASGIApp, Message, Receive, Scope, Send

RESPONSE_TYPES = ("http.response.start", "http.response.body")


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[bytes, bytes]
    body: bytes


class Watched:
    """An app as a server sees it: what its call returned, and each ``send(...)`` it made.
    A send never awaited never ran: its message never reached the server."""

    def __init__(self, app: ASGIApp) -> None:
        self.app: Any = app  # it may wrongly return something: typed as any callable
        self.returned: Any = None
        self.sends: list[Any] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        def watched_send(message: Message) -> Any:
            self.sends.append(send(message))
            return self.sends[-1]

        self.returned = await self.app(scope, receive, watched_send)

    def verdict(self, sent: list[dict[str, Any]], name: str) -> None:
        """Fail if a send was never awaited, or if the app returned its answer unsent."""
        idle = [c for c in self.sends if inspect.getcoroutinestate(c) == inspect.CORO_CREATED]
        for coroutine in idle:
            coroutine.close()  # no "coroutine was never awaited" warning on top
        expect(
            not idle,
            f"{name} called send(...) without await {len(idle)} time(s), so those messages "
            "were never sent: send returns a coroutine, which does nothing until awaited. "
            "Write await send({...}).",
        )
        expect(
            sent or self.returned is None,
            f"{name} returned {self.returned!r} instead of sending it: an ASGI app returns "
            "nothing; it answers with await send({...}), http.response.start then "
            "http.response.body.",
        )


class Called:
    """One of a check's own apps, handed to the student's server (``name``): keeps the scope
    of each call, and knows whether each call was awaited (an app never awaited never ran)."""

    def __init__(self, app: ASGIApp, name: str) -> None:
        self.app = app
        self.name = name
        self.scopes: list[Scope] = []
        self.runs: list[Any] = []

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:
        self.scopes.append(scope)
        self.runs.append(self.app(scope, receive, send))
        return self.runs[-1]

    def ran(self) -> bool:
        """Whether a call was awaited; close the ones never awaited (no warning on top)."""
        idle = [r for r in self.runs if inspect.getcoroutinestate(r) == inspect.CORO_CREATED]
        for run in idle:
            run.close()
        return len(idle) < len(self.runs)

    def never_ran(self) -> Fail:
        """What to tell a server that never ran the app."""
        if self.runs:
            return Fail(
                f"{self.name} called app(scope, receive, send) but never awaited it, so the app "
                "never ran and sent nothing: write await app(scope, receive, send)."
            )
        return Fail(f"{self.name} never called the app: await app(scope, receive, send).")


async def respond(app: ASGIApp, target: str, name: str) -> Response:
    """Call ``app`` for ``GET target`` like a strict server; Fail on any broken rule."""
    request: list[dict[str, Any]] = [
        {"type": "http.request", "body": b"", "more_body": False},
        {"type": "http.disconnect"},
    ]
    watched = Watched(app)
    try:
        conn = await call(watched, http_scope(target), request, stop_after=1.0)
    except TypeError as error:
        if "bytes" in str(error):  # "a bytes-like object is required, not 'str'" and kin
            raise Fail(
                f"{name} raised TypeError: {error}. The scope's query_string, raw_path and "
                "header names and values are bytes, and so are the body and headers you send: "
                "decode what you read (b'...'.decode()) and encode what you send ('...'.encode())."
            ) from error
        raise
    sent = conn.messages(direction="send")
    watched.verdict(sent, name)
    return read_response(sent, f"GET {target}", name)


def read_response(sent: list[dict[str, Any]], request: str, name: str) -> Response:
    """Check the order and shape of what an app sent, and put the response together."""
    expect(
        sent,
        f"for {request}, {name} sent nothing: answer with await send({{...}}) twice, "
        "first http.response.start (status, headers), then http.response.body (body).",
    )
    for message in sent:
        kind = message.get("type")
        expect(
            kind in RESPONSE_TYPES,
            f"for {request}, {name} sent a message of type {kind!r}: "
            "an HTTP response is http.response.start, then http.response.body.",
        )
    first = sent[0]
    expect(
        first["type"] == "http.response.start",
        f"for {request}, {name} sent "
        "http.response.body before http.response.start: a response must begin with "
        "http.response.start, which carries the status and headers.",
    )
    starts = [m for m in sent if m["type"] == "http.response.start"]
    expect(
        len(starts) == 1,
        f"for {request}, {name} sent http.response.start "
        f"{len(starts)} times: once per response, before any body.",
    )
    status: Any = first.get("status")
    expect(
        isinstance(status, int),
        f"http.response.start needs an int status such as 200; {name} sent status={status!r}.",
    )
    headers = _headers(first.get("headers", []), name)
    body = b""
    bodies = sent[1:]
    expect(
        bodies,
        f"for {request}, {name} sent http.response.start but no http.response.body: "
        "the client is still waiting for the body.",
    )
    for i, message in enumerate(bodies):
        chunk = message.get("body", b"")
        expect(
            isinstance(chunk, bytes),
            f"the body must be bytes; {name} sent {chunk!r}: "
            "encode text first, for example 'Hello'.encode().",
        )
        body += chunk
        if not message.get("more_body", False):
            expect(
                i == len(bodies) - 1,
                f"{name} sent more after the response was complete "
                "(an http.response.body without more_body=True ends the response).",
            )
    expect(
        not bodies[-1].get("more_body", False),
        f"for {request}, the response never finished: "
        f"{name}'s last http.response.body had more_body=True, so the client keeps waiting. "
        "Leave more_body out (it defaults to False) on the last body.",
    )
    return Response(status, headers, body)


def expect_async_app(obj: Any, name: str, params: str) -> None:
    """Fail unless ``obj`` is an async app taking exactly ``params`` ("scope, receive, send"):
    a function, a bound method, a functools.partial, or an object with an async __call__."""
    is_async = inspect.iscoroutinefunction(obj) or inspect.iscoroutinefunction(type(obj).__call__)
    expect(
        callable(obj), f"{name} is {obj!r}, not a function: write `async def {name}({params}):`."
    )
    expect(
        is_async,
        f"{name} is not async: write `async def {name}({params}):`, so that it can await.",
    )
    count = len(inspect.signature(obj).parameters)
    wanted = len(params.split(", "))
    expect(
        count == wanted, f"{name} takes {count} parameters; it takes exactly {wanted}: {params}."
    )


def expect_plain_text(response: Response) -> None:
    """Fail unless the response says its body is text/plain."""
    kind = response.headers.get(b"content-type", b"")
    expect(
        kind.startswith(b"text/plain"),
        f"the content-type header is {kind!r}: send "
        "(b'content-type', b'text/plain; charset=utf-8') in http.response.start's headers.",
    )


def _headers(raw: Any, name: str) -> dict[bytes, bytes]:
    shape = (
        "headers must be a list of [name, value] pairs of bytes, "
        "like [(b'content-type', b'text/plain')]"
    )
    try:
        pairs = [(k, v) for k, v in raw]
    except (TypeError, ValueError):
        raise Fail(f"{shape}; {name} sent {raw!r}.") from None
    for key, value in pairs:
        expect(
            not isinstance(value, int),
            f"{name} sent the header {key!r} with the int {value!r}: header values are bytes, "
            "numbers too: str(len(body)).encode() for a length.",
        )
        expect(
            isinstance(key, bytes) and isinstance(value, bytes),
            f"{shape}; {name} sent {(key, value)!r}.",
        )
    return {k.lower(): v for k, v in pairs}
