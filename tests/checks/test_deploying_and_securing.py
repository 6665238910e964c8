"""Lesson 13's checks on wrong token middlewares: each one fails, and is told why.

The solution's full marks and the released stub's zero are tested in test_both_ways.py.
"""

import asyncio
import time
from collections import deque
from urllib.parse import parse_qs

import pytest

from course.checks import grade
from course.checks._support.token_auth import Inner, through
from tests.checks import wrong
from tests.checks.helpers import (
    SOLUTIONS_DIR,
    failing,
    message_of,
    messages,
    solution_namespace,
)
from tests.checks.wrong import WrongAnswer

NOTEBOOK = SOLUTIONS_DIR / "13-deploying-and-securing.ipynb"
NAME = "TokenAuthMiddleware"
CHECKS = [
    "lets_a_known_token_in",
    "copies_the_scope",
    "refuses_unknown_tokens",
    "closes_past_the_rate",
    "keeps_the_extra_message",
    "limit_per_connection",
    "limit_resets",
]


# ---- what students write: graded in a kernel through check() and in batch (wrong.py) -------

CELL = """
import time
from collections import deque
from urllib.parse import parse_qs

TOKENS = {{"abc": "ada"}}


class TokenAuthMiddleware:
    def __init__(self, inner, tokens=TOKENS, rate=5, per=1.0):
        self.inner = inner
        self.tokens = dict(tokens)
        self.rate = rate
        self.per = per

    async def __call__(self, scope, receive, send):
{call}"""
CALL = """
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        user = self.tokens.get(query.get("token", [""])[-1])
        if user is None:
            await send({"type": "websocket.close"})
            return

        recent = deque()
        closed = False

        async def limited_receive():
            nonlocal closed
            while True:
                message = await receive()
                if message["type"] != "websocket.receive":
                    return message
                if closed:
                    continue
                now = time.monotonic()
                while recent and now - recent[0] >= self.per:
                    recent.popleft()
                if len(recent) < self.rate:
                    recent.append(now)
                    return message
                closed = True
                await send({"type": "websocket.close", "code": 4008})

        await self.inner(dict(scope, user=user), limited_receive, send)
"""


def middleware(name, says, *changes):
    """A WrongAnswer: the exercise's cell, its __call__ changed by (old, new) pairs."""
    call = CALL
    for old, new in changes:
        assert old in call, old
        call = call.replace(old, new)
    return WrongAnswer("token-auth", name, CELL.format(call=call), NAME, says)


WRONG_ANSWERS = [
    middleware(
        "counts-websocket-connect",
        "Count only websocket.receive",
        (
            """                if message["type"] != "websocket.receive":
                    return message
                if closed:
                    continue
""",
            """                if message["type"] == "websocket.disconnect":
                    return message
                if closed:
                    continue
""",
        ),
    ),
    middleware(
        "count-kept-on-self",
        "local variable",
        ("        recent = deque()\n", "        self.recent = getattr(self, 'recent', deque())\n"),
        ("nonlocal closed", "nonlocal closed\n            recent = self.recent"),
    ),
    middleware(
        "count-reset-on-self",
        "local variable",
        ("        recent = deque()\n", "        self.recent = deque()  # a fresh count\n"),
        ("nonlocal closed", "nonlocal closed\n            recent = self.recent"),
    ),
    middleware(
        "closes-with-1008",
        "4008",
        ('"code": 4008', '"code": 1008'),
    ),
    middleware(
        "query-string-not-decoded",
        "decode",
        (
            'parse_qs(scope.get("query_string", b"").decode("latin-1"))',
            'parse_qs(scope["query_string"])',
        ),
    ),
    middleware(
        "never-forgets",
        "older than `per`",
        (
            """                while recent and now - recent[0] >= self.per:
                    recent.popleft()
""",
            "",
        ),
    ),
    middleware(
        "one-too-many-through",
        "(over the limit) was passed on",
        ("if len(recent) < self.rate:", "if len(recent) <= self.rate:"),
    ),
]
test_wrong_answers_lose_points_in_a_kernel, test_wrong_answers_lose_points_in_batch = (
    wrong.tests_for(WRONG_ANSWERS)
)


def run_grade(middleware_class):
    return grade("token-auth", {NAME: middleware_class}, timeout=2.0)


# ---- the model answer ----------------------------------------------------------------------


def test_the_model_answer_keeps_the_notebooks_defaults():
    namespace = solution_namespace(NOTEBOOK, NAME)
    inner = Inner()
    middleware = namespace[NAME](inner)  # tokens=TOKENS, rate=5, per=1.0

    assert namespace["TOKENS"] == {"abc": "ada"}
    frames = [str(n) for n in range(7)]
    result = asyncio.run(through(middleware, inner, b"token=abc", frames))
    assert result.talk.replies == [f"echo: {n}" for n in range(5)]
    assert result.talk.closed == {"type": "websocket.close", "code": 4008}


# ---- wrong answers -------------------------------------------------------------------------


class Base:
    """A right answer, in pieces the wrong ones below replace one at a time."""

    def __init__(self, inner, tokens=None, rate=5, per=1.0):
        self.inner, self.tokens, self.rate, self.per = inner, dict(tokens or {}), rate, per

    def user_of(self, scope):
        query = parse_qs(scope["query_string"].decode())
        return self.tokens.get(query.get("token", [""])[-1])

    def window(self):
        return deque()

    def counts(self, recent, now):
        while recent and now - recent[0] >= self.per:
            recent.popleft()
        return len(recent) < self.rate

    async def over_limit(self, message, send):
        await send({"type": "websocket.close", "code": 4008})
        return None  # None: keep receiving; a message: hand it over anyway

    def scope_for(self, scope, user):
        return dict(scope, user=user)

    async def __call__(self, scope, receive, send):
        user = self.user_of(scope)
        if user is None:
            await send({"type": "websocket.close"})
            return
        recent, closed = self.window(), False

        async def limited_receive():
            nonlocal closed
            while True:
                message = await receive()
                if message["type"] != "websocket.receive":
                    return message
                if closed:
                    continue
                now = time.monotonic()
                if self.counts(recent, now):
                    recent.append(now)
                    return message
                closed = True
                if (passed := await self.over_limit(message, send)) is not None:
                    return passed

        await self.inner(self.scope_for(scope, user), limited_receive, send)


def test_the_base_of_the_wrong_answers_is_right():
    report = run_grade(Base)
    assert not failing(report), messages(report)


class MutatesTheScope(Base):
    def scope_for(self, scope, user):
        scope["user"] = user  # writes into the server's scope
        return scope


class AcceptsUnknownTokens(Base):
    def user_of(self, scope):
        return super().user_of(scope) or "anonymous"  # lets everyone in


class SharedLimit(Base):
    def window(self):
        if not hasattr(self, "shared"):
            self.shared = deque()  # one window for every connection
        return self.shared


class NeverResets(Base):
    def counts(self, recent, now):
        return len(recent) < self.rate  # counts every message the connection ever sent


class PassesTheExtraMessageOn(Base):
    async def over_limit(self, message, send):
        await send({"type": "websocket.close", "code": 4008})
        return message  # the inner app still gets it


class ClosesWith1008(Base):
    async def over_limit(self, message, send):
        await send({"type": "websocket.close", "code": 1008})


class NoRateLimit(Base):
    def counts(self, recent, now):
        return True


class AcceptsThenClosesUnknownTokens(Base):
    async def __call__(self, scope, receive, send):
        if self.user_of(scope) is None:
            await receive()
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": 4001})
            return
        await super().__call__(scope, receive, send)


class ReadsTheWrongKey(Base):
    def user_of(self, scope):
        return self.tokens.get(
            parse_qs(scope["query_string"].decode()).get("access_token", [""])[0]
        )


class LooksUpTheList(Base):
    def user_of(self, scope):
        return self.tokens.get(parse_qs(scope["query_string"].decode()).get("token"))


class LeavesTheQueryInBytes(Base):
    def user_of(self, scope):
        return self.tokens.get(parse_qs(scope["query_string"]).get("token", [""])[-1])


class CountsTheConnect(Base):
    """Counts every message its receive hands over but the disconnect: connect too."""

    async def __call__(self, scope, receive, send):
        user = self.user_of(scope)
        if user is None:
            await send({"type": "websocket.close"})
            return
        recent, closed = deque(), False

        async def limited_receive():
            nonlocal closed
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    return message
                if closed:
                    continue
                now = time.monotonic()
                if self.counts(recent, now):
                    recent.append(now)
                    return message
                closed = True
                await self.over_limit(message, send)

        await self.inner(self.scope_for(scope, user), limited_receive, send)


@pytest.mark.parametrize(
    ("answer", "checks", "fragment"),
    [
        (MutatesTheScope, ["copies_the_scope"], "the server's own scope has a 'user' key"),
        (AcceptsUnknownTokens, ["refuses_unknown_tokens"], "the inner app was called"),
        (AcceptsThenClosesUnknownTokens, ["refuses_unknown_tokens"], "not refused before accept"),
        (SharedLimit, ["limit_per_connection"], "the count is shared between connections"),
        (NeverResets, ["limit_resets"], "forget messages older than `per` seconds"),
        (
            PassesTheExtraMessageOn,
            ["closes_past_the_rate", "keeps_the_extra_message"],
            "(over the limit) was passed on",
        ),
        (
            ClosesWith1008,
            ["closes_past_the_rate", "keeps_the_extra_message"],
            "close with code 4008",
        ),
        (NoRateLimit, ["closes_past_the_rate", "keeps_the_extra_message"], ""),
        (
            ReadsTheWrongKey,
            [c for c in CHECKS if c != "refuses_unknown_tokens"],
            "the key is 'token'",
        ),
        (
            LooksUpTheList,
            CHECKS,
            "parse_qs gives a list of values for each key",
        ),
        (
            LeavesTheQueryInBytes,
            [c for c in CHECKS if c != "refuses_unknown_tokens"],
            "decode() it before parse_qs",
        ),
        (
            CountsTheConnect,
            ["closes_past_the_rate", "limit_per_connection", "limit_resets"],
            "Count only websocket.receive messages",
        ),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_a_wrong_middleware_is_told_why(answer, checks, fragment):
    report = run_grade(answer)

    assert list(failing(report)) == checks, messages(report)
    for check in checks:
        assert fragment in message_of(report, check), messages(report)


def test_no_rate_limit_is_told_to_count_and_close():
    report = run_grade(NoRateLimit)
    assert "was never closed" in message_of(report, "closes_past_the_rate"), messages(report)
    # The 4th message reaches the inner app, which is what this check reports.
    assert "was passed on" in message_of(report, "keeps_the_extra_message"), messages(report)
