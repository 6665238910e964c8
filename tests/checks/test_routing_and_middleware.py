"""Lesson 05's checks on wrong middlewares: each one fails, and is told why.

The solution's full marks and the released stub's zero are tested in test_both_ways.py.
"""

import asyncio
import uuid

import pytest

from course.checks import grade
from course.checks.routing_and_middleware import BANNED, Inner, through
from tests.checks.helpers import (
    SOLUTIONS_DIR,
    failing,
    message_of,
    messages,
    solution_namespace,
)

NOTEBOOK = SOLUTIONS_DIR / "05-routing-and-middleware.ipynb"
NAME = "RequestIdMiddleware"
TIMEOUT = 1.0
CHECKS = [
    "passes_http_on",
    "passes_websocket_on",
    "copies_the_scope",
    "fresh_id_per_connection",
    "refuses_banned_http",
    "refuses_banned_websocket",
]


def run_grade(middleware_class):
    return grade("request-id", {NAME: middleware_class}, timeout=TIMEOUT)


# ---- the model answer ----------------------------------------------------------------------


def test_each_check_is_quick_on_the_model_answer():
    report = run_grade(solution_namespace(NOTEBOOK, NAME)[NAME])

    assert max(r.seconds for r in report.results) < 0.5, [r.seconds for r in report.results]


def test_the_model_answer_keeps_the_default_banned_set_of_the_notebook():
    namespace = solution_namespace(NOTEBOOK, NAME)
    inner = Inner()
    middleware = namespace[NAME](inner)  # banned=BANNED, the notebook's set

    assert namespace["BANNED"] == {BANNED}
    result = asyncio.run(through(middleware, inner, "websocket", BANNED))
    assert result.sent == [{"type": "websocket.close"}]
    assert inner.scopes == []


# ---- wrong answers -------------------------------------------------------------------------


def refuse_as_the_model_does(kind):
    """What a right answer sends a banned client, for the wrong answers that get that part right."""
    if kind == "websocket":
        return [{"type": "websocket.close"}]
    return [
        {"type": "http.response.start", "status": 403, "headers": []},
        {"type": "http.response.body", "body": b"Forbidden"},
    ]


class Base:
    def __init__(self, inner, banned=frozenset({BANNED})):
        self.inner = inner
        self.banned = set(banned)

    def is_banned(self, scope):
        return scope["client"][0] in self.banned

    async def refuse(self, scope, send):
        for message in refuse_as_the_model_does(scope["type"]):
            await send(message)


class MutatesTheScope(Base):
    async def __call__(self, scope, receive, send):
        if self.is_banned(scope):
            return await self.refuse(scope, send)
        scope["request_id"] = uuid.uuid4().hex  # changes the server's scope
        await self.inner(scope, receive, send)


class SameIdForEveryConnection(Base):
    def __init__(self, inner, banned=frozenset({BANNED})):
        super().__init__(inner, banned)
        self.request_id = uuid.uuid4().hex  # once, for the middleware's whole life

    async def __call__(self, scope, receive, send):
        if self.is_banned(scope):
            return await self.refuse(scope, send)
        await self.inner(dict(scope, request_id=self.request_id), receive, send)


class CallsInnerForBannedClients(Base):
    async def __call__(self, scope, receive, send):
        # Lets the inner app run first, then tries to refuse: too late.
        await self.inner(dict(scope, request_id=uuid.uuid4().hex), receive, send)
        if self.is_banned(scope):
            await self.refuse(scope, send)


class AcceptsThenCloses(Base):
    async def __call__(self, scope, receive, send):
        if self.is_banned(scope):
            if scope["type"] == "websocket":
                await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": 1008})
                return None
            return await self.refuse(scope, send)
        await self.inner(dict(scope, request_id=uuid.uuid4().hex), receive, send)


class HttpAnswerForBannedWebsockets(Base):
    async def __call__(self, scope, receive, send):
        if self.is_banned(scope):
            for message in refuse_as_the_model_does("http"):
                await send(message)
            return None
        await self.inner(dict(scope, request_id=uuid.uuid4().hex), receive, send)


class ComparesTheWholeClient(Base):
    async def __call__(self, scope, receive, send):
        if scope["client"] in self.banned:  # a (host, port) tuple is never in a set of hosts
            return await self.refuse(scope, send)
        await self.inner(dict(scope, request_id=uuid.uuid4().hex), receive, send)


class UuidNotStr(Base):
    async def __call__(self, scope, receive, send):
        if self.is_banned(scope):
            return await self.refuse(scope, send)
        await self.inner(dict(scope, request_id=uuid.uuid4()), receive, send)


class NeverCallsInner(Base):
    async def __call__(self, scope, receive, send):
        if self.is_banned(scope):
            return await self.refuse(scope, send)
        dict(scope, request_id=uuid.uuid4().hex)  # forgot to await self.inner(...)


class ForgetsTheId(Base):
    async def __call__(self, scope, receive, send):
        if self.is_banned(scope):
            return await self.refuse(scope, send)
        await self.inner(scope, receive, send)


class HttpBannedGets200(Base):
    async def __call__(self, scope, receive, send):
        if self.is_banned(scope):
            if scope["type"] == "websocket":
                return await self.refuse(scope, send)
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"go away"})
            return None
        await self.inner(dict(scope, request_id=uuid.uuid4().hex), receive, send)


class SyncCall(Base):
    def __call__(self, scope, receive, send):
        return self.inner(dict(scope, request_id=uuid.uuid4().hex), receive, send)


@pytest.mark.parametrize(
    ("answer", "checks", "fragment"),
    [
        (MutatesTheScope, ["copies_the_scope"], "server's own scope has a 'request_id' key"),
        (SameIdForEveryConnection, ["fresh_id_per_connection"], "not once in __init__"),
        (
            CallsInnerForBannedClients,
            ["refuses_banned_http", "refuses_banned_websocket"],
            "the inner app was called for a",
        ),
        (AcceptsThenCloses, ["refuses_banned_websocket"], "accepted, then closed"),
        (HttpAnswerForBannedWebsockets, ["refuses_banned_websocket"], "an HTTP response is for"),
        (
            ComparesTheWholeClient,
            ["refuses_banned_http", "refuses_banned_websocket"],
            "scope['client'][0]",
        ),
        (
            UuidNotStr,
            ["passes_http_on", "passes_websocket_on", "fresh_id_per_connection"],
            "(UUID): make it a non-empty str",
        ),
        (
            NeverCallsInner,
            ["passes_http_on", "passes_websocket_on", "fresh_id_per_connection"],
            "the inner app was never called",
        ),
        (
            ForgetsTheId,
            ["passes_http_on", "passes_websocket_on", "fresh_id_per_connection"],
            "has no 'request_id' key",
        ),
        (HttpBannedGets200, ["refuses_banned_http"], "got status 200: answer 403"),
        (SyncCall, CHECKS, "__call__ is not async"),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_a_wrong_middleware_is_told_why(answer, checks, fragment):
    report = run_grade(answer)

    assert list(failing(report)) == checks, messages(report)
    for check in checks:
        assert message_of(report, check).find(fragment) >= 0, messages(report)
    assert {r.status for r in report.results if not r.passed} == {"failed"}, messages(report)


def test_a_mutating_middleware_is_told_to_copy():
    message = message_of(run_grade(MutatesTheScope), "copies_the_scope")

    assert "dict(scope, request_id=...)" in message
    assert message.startswith("after an HTTP connection")


def test_a_middleware_written_as_a_function_is_as_good_as_a_class():
    """The exercise asks for a class; an ASGI middleware factory is graded on behaviour alike."""

    def request_id_middleware(inner, banned=frozenset()):
        async def app(scope, receive, send):
            if scope["client"][0] in banned:
                for message in refuse_as_the_model_does(scope["type"]):
                    await send(message)
                return
            await inner(dict(scope, request_id=str(uuid.uuid4())), receive, send)

        return app

    report = run_grade(request_id_middleware)

    assert report.score.full, messages(report)


def test_a_missing_middleware_says_to_run_its_cell():
    report = grade("request-id", {}, timeout=TIMEOUT)

    assert {r.status for r in report.results} == {"failed"}
    assert f"`{NAME}` is not defined" in report.results[0].message
