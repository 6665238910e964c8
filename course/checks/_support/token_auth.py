"""What lesson 13's checks share: connections played through the student's token middleware,
and the reasons a connection was let in, refused or closed when it should not have been.

Each connection goes through a PacedServer (lesson 03's strict fake daphne, pacing the
client's frames: a pause before a frame lets a rate limit's window pass) in front of a
recording inner app that accepts and echoes (course/checks/_support/middleware.py). The
exercise's own close code is its judge: closed with another code, the student is told 4008
first, before any general rule about close codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from course.checking.model import Fail
from course.checks._support.middleware import Inner, PacedServer, Shape, Talked, build, talked
from course.checks._support.websocket import Conversation, requires_close_code, websocket_scope
from course.types import Message

NAME = "TokenAuthMiddleware"
SHAPE = Shape(
    NAME,
    "def __init__(self, inner, tokens=TOKENS, rate=5, per=1.0)",
    "tokens=..., rate=..., per=...",
)
TOKENS = {"abc": "ada", "xyz": "grace"}
TOO_MANY = 4008
_RATE_CLOSE = requires_close_code(TOO_MANY, NAME, "past the rate limit")


def judge(message: Message, talk: Conversation) -> str | None:
    """The exercise's rule on a close once frames have flowed: its code is 4008."""
    return _RATE_CLOSE(message, talk) if talk.delivered else None


COUNTS_CONNECT = (
    "one message fewer than `rate` got through. Does your limit count websocket.connect, the "
    "first message the inner app receives through your receive? Count only websocket.receive "
    "messages: connect and disconnect go through uncounted."
)
REFUSED_A_KNOWN_TOKEN = (
    "the lookup of a known token did not find it. scope['query_string'] is bytes "
    "(b'token=abc'): decode() it before parse_qs; parse_qs gives a list for each key, and "
    "the key is 'token': parse_qs(...).get('token', [''])[-1] is the token to look up in "
    "self.tokens."
)
LIST_AS_KEY = (
    "your middleware raised TypeError: unhashable type: 'list'. parse_qs gives a list of "
    "values for each key ({'token': ['abc']}): look up its last one, .get('token', [''])[-1]."
)


def build_middleware(middleware_class: Any, inner: Inner, rate: int = 5, per: float = 1.0) -> Any:
    """``TokenAuthMiddleware(inner, tokens=TOKENS, rate=rate, per=per)``, or a clear Fail."""
    return build(SHAPE, middleware_class, inner, tokens=dict(TOKENS), rate=rate, per=per)


async def through(
    middleware: Any,
    inner: Inner,
    query: bytes,
    frames: Sequence[str] = (),
    pauses: Mapping[int, float] | None = None,
    limit: float = 1.0,
) -> Talked:
    """Connect with ``query_string=query``, send ``frames`` (pausing as told), then leave."""
    scope = {**websocket_scope("/ws/feed/"), "query_string": query}
    server = PacedServer(frames, pauses or {}, NAME, judge)
    try:
        return await talked(middleware, inner, scope, server, limit)
    except TypeError as error:
        if "unhashable type: 'list'" not in str(error):
            raise
        raise Fail(LIST_AS_KEY) from None


def closed_code(talk: Conversation) -> Any:
    return None if talk.closed is None else talk.closed.get("code") or 1000


def not_let_in(result: Talked, then: str = "") -> Fail | None:
    """Why a known token's connection never reached the inner app; None if it did."""
    if result.inner.scopes:
        return None
    shown = f"?{result.scope['query_string'].decode()}"
    if result.talk.denied:
        return Fail(f"with {shown} (a known token) the client was refused: {REFUSED_A_KNOWN_TOKEN}")
    return Fail(
        f"with {shown} (a known token) the inner app was never called: pass the connection on "
        f"with `await self.inner(dict(scope, user=...), receive, send)`.{then}"
    )


def closed_early(result: Talked, rate: int, sent: int, who: str = "the client") -> Fail | None:
    """Why ``who``, who sent ``sent`` messages within the limit, was closed; None if it was not."""
    if result.talk.closed is None:
        return None
    got = len(result.talk.replies)
    why = (
        COUNTS_CONNECT
        if got == min(sent, rate) - 1
        else f"close only on the message after the first `rate`, here message {rate + 1}."
    )
    return Fail(
        f"with rate={rate} {who} sent {sent} messages, and was closed with code "
        f"{closed_code(result.talk)} after {got} of them got through: {why}"
    )


__all__ = [
    "COUNTS_CONNECT",
    "NAME",
    "TOKENS",
    "TOO_MANY",
    "Inner",
    "build_middleware",
    "closed_code",
    "closed_early",
    "not_let_in",
    "through",
]
