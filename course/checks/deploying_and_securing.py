"""Lesson 13's exercise: a middleware that lets a WebSocket in by ``?token=`` and rate-limits it.

Each check plays the server with a ``StrictServer`` (lesson 03's strict fake daphne) and a
scope it builds by hand, in front of a recording inner app that accepts and echoes
(course/checks/_support/token_auth.py). Frames can be paced: a pause before a frame lets a
rate limit's window pass. A connection's count is its own: the checks open connections
one after another and side by side, one of them already near its limit when the next starts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from course.checking.model import Exercise, Fail, expect
from course.checks._support.middleware import Talked
from course.checks._support.token_auth import (
    COUNTS_CONNECT,
    TOKENS,
    TOO_MANY,
    Inner,
    build_middleware,
    closed_code,
    closed_early,
    not_let_in,
    through,
)

LESSON = "13-deploying-and-securing"

token_auth = Exercise("token-auth", LESSON)
EXERCISES = [token_auth]


def _let_in(result: Talked) -> None:
    fail = not_let_in(result, " Let a known token in first; then the limit can count its messages.")
    if fail is not None:
        raise fail


async def run(middleware_class: Any, query: bytes, frames: Sequence[str] = (), **kw: Any) -> Talked:
    """One connection through a new middleware (rate and per from ``kw``)."""
    inner = Inner()
    limits = {k: kw.pop(k) for k in ("rate", "per") if k in kw}
    return await through(
        build_middleware(middleware_class, inner, **limits), inner, query, frames, **kw
    )


def _passed_on(inner: Inner, frames: Sequence[str], rate: int) -> Fail:
    return Fail(
        f"with rate={rate} the inner app received {inner.frames!r}: message {frames[rate]} "
        "(over the limit) was passed on. Close instead, and do not return that message "
        "from your receive: keep receiving, skip frames, return the disconnect."
    )


async def limited(middleware_class: Any, frames: Sequence[str], rate: int, **kw: Any) -> Talked:
    """Send ``frames`` with ``rate`` allowed (no pauses: frame ``rate + 1`` is one too many)."""
    inner = Inner()
    middleware = build_middleware(middleware_class, inner, rate=rate, per=kw.pop("per", 10))
    extra = frames[rate] if len(frames) > rate and not kw.get("pauses") else None
    try:
        result = await through(middleware, inner, b"token=abc", frames, **kw)
    except Fail:
        if extra is not None and extra in inner.frames:  # e.g. it echoed after the close
            raise _passed_on(inner, frames, rate) from None
        raise
    if extra is not None and extra in inner.frames and result.talk.closed is not None:
        raise _passed_on(inner, frames, rate)
    _let_in(result)
    return result


@token_auth.check("a known ?token= gets in, with the token's user in scope['user']")
async def lets_a_known_token_in(TokenAuthMiddleware: Any) -> None:
    for token, user in TOKENS.items():
        result = await run(TokenAuthMiddleware, f"room=1&token={token}".encode(), ["hi"])
        _let_in(result)
        seen = result.inner.scopes[-1].get("user", "(no 'user' key)")
        expect(
            seen == user,
            f"with ?token={token} the inner app got scope['user'] = {seen!r}, not {user!r}: "
            "parse scope['query_string'] (bytes) with urllib.parse.parse_qs and look the token "
            "up in self.tokens.",
        )
        expect(
            result.talk.accepted is not None and result.talk.replies == ["echo: hi"],
            f"with ?token={token} the inner app accepted and echoed 'hi', but the client got "
            f"{result.talk.replies!r}: pass receive and send on (a wrapped receive must hand "
            "messages under the limit over unchanged).",
        )


@token_auth.check("leaves the server's scope unchanged (the inner app gets a copy)")
async def copies_the_scope(TokenAuthMiddleware: Any) -> None:
    result = await run(TokenAuthMiddleware, b"token=abc")
    expect(
        "user" not in result.scope,
        "after the connection, the server's own scope has a 'user' key: you wrote into the "
        "scope you were given. Give the inner app a new dict: dict(scope, user=...).",
    )
    expect(result.scope == result.before, "the server's own scope changed: copy it, never edit it.")
    _let_in(result)
    passed = {k: v for k, v in result.inner.scopes[-1].items() if k != "user"}
    expect(
        passed == result.before,
        "the inner app's scope differs from the server's in more than 'user': add the user and "
        "keep everything else as it was.",
    )


@token_auth.check(
    "an unknown or missing token is closed before accept (HTTP 403), inner not called"
)
async def refuses_unknown_tokens(TokenAuthMiddleware: Any) -> None:
    for query in (b"token=nope", b"", b"other=abc", b"token="):
        result = await run(TokenAuthMiddleware, query, ["hi"])
        shown = f"?{query.decode()}" if query else "no query string"
        expect(
            not result.inner.scopes,
            f"with {shown} the inner app was called: check the token first, and without a "
            "known one send {'type': 'websocket.close'} and return.",
        )
        expect(
            result.talk.denied,
            f"with {shown} the client was not refused before accept "
            f"(accepted: {result.talk.accepted is not None}, closed: {result.talk.closed}): "
            "send {'type': 'websocket.close'} without accepting; the server answers 403.",
        )


@token_auth.check("closes with 4008 when a connection sends over `rate` messages in `per` s")
async def closes_past_the_rate(TokenAuthMiddleware: Any) -> None:
    result = await limited(TokenAuthMiddleware, ["1", "2", "3", "4", "5"], rate=3)
    got = result.talk.replies
    expect(
        len(got) != 2 or result.talk.closed is None,
        f"with rate=3 the client got {got!r}: {COUNTS_CONNECT}",
    )
    expect(
        result.talk.closed is not None,
        f"with rate=3, per=10 a client sent 5 messages at once and was never closed (it got "
        f"{len(got)} echoes): count this connection's websocket.receive messages and, past the "
        f"limit, send {{'type': 'websocket.close', 'code': {TOO_MANY}}}.",
    )
    code = closed_code(result.talk)
    expect(code == TOO_MANY, f"the over-limit client was closed with code {code}, not {TOO_MANY}.")
    expect(
        got == ["echo: 1", "echo: 2", "echo: 3"],
        f"with rate=3 the first 3 messages should reach the inner app (3 echoes), but the "
        f"client got {got!r}: let `rate` messages through, close on the next one.",
    )


@token_auth.check("the message over the limit never reaches the inner app; the disconnect does")
async def keeps_the_extra_message(TokenAuthMiddleware: Any) -> None:
    frames = ["1", "2", "3", "4"]
    result = await limited(TokenAuthMiddleware, frames, rate=3)
    if "4" in result.inner.frames:
        raise _passed_on(result.inner, frames, 3)
    last = result.inner.received[-1:]
    expect(
        bool(last) and last[0]["type"] == "websocket.disconnect",
        "after the close the inner app never got websocket.disconnect: keep receiving from the "
        "server, skip frames, and pass the disconnect on so the inner app can finish.",
    )


@token_auth.check("each connection has its own limit, whatever the others did")
async def limit_per_connection(TokenAuthMiddleware: Any) -> None:
    inner = Inner()
    middleware = build_middleware(TokenAuthMiddleware, inner, rate=3, per=10)
    for n, token in enumerate(("abc", "xyz", "abc"), start=1):
        result = await through(middleware, inner, f"token={token}".encode(), ["a", "b", "c"])
        _let_in(result)
        if n == 1 and (early := closed_early(result, 3, 3)) is not None:
            raise early
        if result.talk.closed is not None:
            raise Fail(
                f"connection {n} through one middleware sent 3 messages (rate=3) and was closed "
                f"with {closed_code(result.talk)}, after the ones before it: the count is shared "
                "between connections. Keep it in __call__ (a local variable), not on self."
            )
    await _side_by_side(TokenAuthMiddleware)


async def _side_by_side(TokenAuthMiddleware: Any) -> None:
    """Two connections at once, from different starts: ada has sent 2 of her 3 when grace
    connects and sends 3; then ada sends 2 more. Each must fare as it does alone."""
    ada, grace = (b"token=abc", ["a1", "a2", "a3", "a4"], {2: 0.15}), (b"token=xyz", ["g1", "g2"])

    async def alone(query: bytes, frames: list[str], pauses: Any = None) -> Talked:
        inner = Inner()
        middleware = build_middleware(TokenAuthMiddleware, inner, rate=3, per=10)
        return await through(middleware, inner, query, frames, pauses)

    inner = Inner()
    middleware = build_middleware(TokenAuthMiddleware, inner, rate=3, per=10)

    async def later() -> Talked:
        await asyncio.sleep(0.05)
        return await through(middleware, inner, *grace)

    try:
        solo = [await alone(*ada), await alone(*grace)]
    except Fail:
        return  # a connection alone breaks a rule: the checks above say which
    told = "ada had sent 2 messages (rate=3) when grace connected and sent 2; then ada sent 2 more."
    local = (
        "A count on self is one for every connection, and a new connection that resets it "
        "resets everyone's: keep it in a local variable of __call__, which each connection "
        "runs on its own."
    )
    try:
        both = await asyncio.gather(through(middleware, inner, *ada), later())
    except Fail as fail:
        raise Fail(
            f"{told} Side by side they broke a rule neither breaks alone: {fail} {local}"
        ) from None
    seen = [(t.talk.replies, closed_code(t.talk)) for t in (*both, *solo)]
    expect(
        seen[:2] == seen[2:],
        f"{told} Side by side, ada got {seen[0][0]!r} (closed: {seen[0][1]}) and grace "
        f"{seen[1][0]!r} (closed: {seen[1][1]}); alone, ada got {seen[2][0]!r} (closed: "
        f"{seen[2][1]}) and grace {seen[3][0]!r} (closed: {seen[3][1]}). {local}",
    )


@token_auth.check("the limit frees up again once `per` seconds have passed")
async def limit_resets(TokenAuthMiddleware: Any) -> None:
    frames = ["1", "2", "3", "4"]
    result = await limited(TokenAuthMiddleware, frames, rate=2, per=0.2, pauses={2: 0.25})
    replies = result.talk.replies
    told = (
        f"with rate=2, per=0.2 a client sent 2 messages, waited 0.25 s, then sent 2 more, and "
        f"got {replies!r}, closed with {closed_code(result.talk)}"
    )
    expect(len(replies) != 1 or result.talk.closed is None, f"{told}: {COUNTS_CONNECT}")
    expect(
        result.talk.closed is None and len(replies) == 4,
        f"{told}: forget messages older than `per` seconds (time.monotonic()), so the limit "
        "frees up again.",
    )
