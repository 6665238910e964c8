"""Lesson 05's checks on wrong middlewares: each one fails, and is told why.

The solution's full marks and the released stub's zero are tested in test_both_ways.py.
"""

import asyncio
import uuid

import pytest
from django.conf import settings

from course.checks import grade
from course.checks._support import sessions
from course.checks.routing_and_middleware import BANNED, Inner, through
from course.checks.routing_and_middleware_seed_stack import seed
from tests.checks import wrong
from tests.checks.helpers import (
    SOLUTIONS_DIR,
    failing,
    message_of,
    messages,
    solution_namespace,
)
from tests.checks.wrong import WrongAnswer

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


# What students write: graded in a kernel through check() and in batch (tests/checks/wrong.py).
MIDDLEWARE = """
import uuid

BANNED = {{"203.0.113.7"}}


class RequestIdMiddleware:
    {class_body}
    def __init__(self, inner, banned=BANNED):
        self.inner = inner
        self.banned = set(banned)
        {init}

    async def __call__(self, scope, receive, send):
        if {is_banned}:
            if scope["type"] == "websocket":
                {refuse_websocket}
            else:
                await send({{"type": "http.response.start", "status": 403, "headers": []}})
                await send({{"type": "http.response.body", "body": b"Forbidden"}})
            {after_refusing}
        {pass_on}
"""
RIGHT = {
    "class_body": '"""Give every connection a fresh request_id; turn banned clients away."""\n',
    "init": "",
    "is_banned": 'scope["client"][0] in self.banned',
    "refuse_websocket": 'await send({"type": "websocket.close"})',
    "after_refusing": "return",
    "pass_on": "await self.inner(dict(scope, request_id=uuid.uuid4().hex), receive, send)",
}


def middleware(**mistake: str) -> str:
    return MIDDLEWARE.format(**{**RIGHT, **mistake})


WRONG_ANSWERS = [
    WrongAnswer(
        "request-id",
        "edits-the-scope",
        middleware(
            pass_on='scope["request_id"] = uuid.uuid4().hex\n'
            "        await self.inner(scope, receive, send)"
        ),
        NAME,
        "server's own scope has a 'request_id' key",
    ),
    WrongAnswer(
        "request-id",
        "one-id-in-init",
        middleware(
            init="self.request_id = uuid.uuid4().hex",
            pass_on="await self.inner(dict(scope, request_id=self.request_id), receive, send)",
        ),
        NAME,
        "inside __call__",
    ),
    WrongAnswer(
        "request-id",
        "one-id-on-the-class",
        middleware(
            class_body="request_id = uuid.uuid4().hex\n",
            pass_on="await self.inner(dict(scope, request_id=self.request_id), receive, send)",
        ),
        NAME,
        "inside __call__",
    ),
    WrongAnswer(
        "request-id",
        "reads-the-global-banned",
        middleware(is_banned='scope["client"][0] in BANNED'),
        NAME,
        "self.banned",
    ),
    WrongAnswer(
        "request-id",
        "accepts-then-closes",
        middleware(
            refuse_websocket='await send({"type": "websocket.accept"})\n'
            '                await send({"type": "websocket.close", "code": 4003})'
        ),
        NAME,
        "accepted, then closed",
    ),
    WrongAnswer(
        "request-id",
        "refuses-then-goes-on",
        middleware(after_refusing="pass"),
        NAME,
        "return without awaiting self.inner",
    ),
    WrongAnswer(
        "request-id",
        "update-returns-none",
        middleware(
            pass_on="await self.inner(scope.copy().update(request_id=uuid.uuid4().hex), "
            "receive, send)"
        ),
        NAME,
        "returns None",
    ),
    WrongAnswer(
        "request-id",
        "http-403-for-a-websocket",
        middleware(
            refuse_websocket='await send({"type": "http.response.start", "status": 403, '
            '"headers": []})'
        ),
        NAME,
        "an HTTP response is for",
    ),
]
STACK = """
from channels.auth import AuthMiddleware, AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator, WebsocketDenier
from django.core.asgi import get_asgi_application
from django.urls import path, re_path

from basics.consumers import AsyncEchoConsumer
from basics.whoami import WhoAmIConsumer

django_asgi_app = get_asgi_application()


def make_websocket_urlpatterns():
    return [
        {routes}
    ]


def make_application(routes):
    return ProtocolTypeRouter(
        {{
            {http}
            "websocket": {websocket},
        }}
    )
"""
ROUTES = [
    'path("ws/whoami/", WhoAmIConsumer.as_asgi()),',
    'path("ws/echo/", AsyncEchoConsumer.as_asgi()),',
    're_path(r"", WebsocketDenier.as_asgi()),',
]
RIGHT_STACK = {
    "routes": "\n        ".join(ROUTES),
    "http": '"http": django_asgi_app,',
    "websocket": "AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(routes)))",
}


def stack(**mistake: str) -> str:
    return STACK.format(**{**RIGHT_STACK, **mistake})


WRONG_ANSWERS += [
    WrongAnswer(
        "seed-stack",
        "no-origin-check",
        stack(websocket="AuthMiddlewareStack(URLRouter(routes))"),
        "make_application",
        "Wrap the stack in AllowedHostsOriginValidator",
    ),
    WrongAnswer(
        "seed-stack",
        "origin-checked-inside-auth",
        stack(websocket="AuthMiddlewareStack(AllowedHostsOriginValidator(URLRouter(routes)))"),
        "make_application",
        "Make the validator the outermost layer",
    ),
    WrongAnswer(
        "seed-stack",
        "no-auth-stack",
        stack(websocket="AllowedHostsOriginValidator(URLRouter(routes))"),
        "make_application",
        "found no scope['user']",
    ),
    WrongAnswer(
        "seed-stack",
        "auth-middleware-alone",
        stack(websocket="AllowedHostsOriginValidator(AuthMiddleware(URLRouter(routes)))"),
        "make_application",
        "AuthMiddlewareStack(...) nests all three",
    ),
    WrongAnswer(
        "seed-stack",
        "route-without-as-asgi",
        stack(routes="\n        ".join(['path("ws/whoami/", WhoAmIConsumer),', *ROUTES[1:]])),
        "make_application",
        "WhoAmIConsumer.as_asgi()",
    ),
    WrongAnswer(
        "seed-stack",
        "routes-with-a-leading-slash",
        stack(routes="\n        ".join(r.replace('"ws/', '"/ws/') for r in ROUTES)),
        "make_application",
        "without a leading slash",
    ),
    WrongAnswer(
        "seed-stack",
        "no-catch-all",
        stack(routes="\n        ".join(ROUTES[:2])),
        "make_application",
        "End make_websocket_urlpatterns() with a catch-all",
    ),
    WrongAnswer(
        "seed-stack",
        "catch-all-first",
        stack(routes="\n        ".join([ROUTES[2], *ROUTES[:2]])),
        "make_application",
        "put it last",
    ),
    WrongAnswer(
        "seed-stack",
        "no-http-entry",
        stack(http=""),
        "make_application",
        "has no 'http' entry",
    ),
    WrongAnswer(
        "seed-stack",
        "http-to-the-factory",
        stack(http='"http": get_asgi_application,'),
        "make_application",
        "'http' is get_asgi_application itself",
    ),
]
test_wrong_answers_lose_points_in_a_kernel, test_wrong_answers_lose_points_in_batch = (
    wrong.tests_for(WRONG_ANSWERS)
)


test_each_wrong_answer_loses_points_and_is_told_why_in_process = pytest.mark.django_db(
    transaction=True
)(wrong.in_process_test(WRONG_ANSWERS))


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


def test_a_middleware_that_reads_the_notebooks_banned_set_is_told_to_read_its_own():
    class ReadsTheGlobal(Base):
        async def __call__(self, scope, receive, send):
            if scope["client"][0] in {BANNED}:  # the notebook's BANNED, not self.banned
                return await self.refuse(scope, send)
            await self.inner(dict(scope, request_id=uuid.uuid4().hex), receive, send)

    report = run_grade(ReadsTheGlobal)

    assert list(failing(report)) == ["refuses_banned_http", "refuses_banned_websocket"]
    message = message_of(report, "refuses_banned_http")
    assert message.startswith("a middleware built with banned={'192.0.2.44'} refused an HTTP")
    assert "self.banned" in message


# ---- seed-stack ----------------------------------------------------------------------------

SEED = "seed-stack"
SEED_CHECKS = [check.name for check in seed]


def seed_grade(source: str):
    namespace: dict = {}
    exec(compile(source, "<cell>", "exec"), namespace)
    return grade(SEED, namespace)


@pytest.mark.django_db(transaction=True)
def test_the_seed_stack_checks_leave_the_settings_and_their_sessions_behind_them():
    hosts, engine = settings.ALLOWED_HOSTS, settings.SESSION_ENGINE

    report = seed_grade(stack())

    assert report.score.full, messages(report)
    assert (hosts, engine) == (settings.ALLOWED_HOSTS, settings.SESSION_ENGINE)
    assert sessions.SESSIONS == {} and sessions.USERS == {} and sessions.READ == []


@pytest.mark.django_db(transaction=True)
def test_a_seed_stack_written_like_the_demos_asgi_py_is_right_too():
    demo = stack(
        routes="\n        ".join(
            [
                're_path(r"^ws/whoami/$", WhoAmIConsumer.as_asgi()),',
                're_path(r"^ws/echo/$", AsyncEchoConsumer.as_asgi()),',
                're_path(r"^.*$", WebsocketDenier.as_asgi()),',
            ]
        ),
        http='"http": URLRouter([re_path(r"", django_asgi_app)]),',
    )

    report = seed_grade(demo)

    assert report.score.full, messages(report)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("name", "checks"),
    [
        ("no-origin-check", ["refuses_other_origins", "checks_the_origin_first"]),
        ("origin-checked-inside-auth", ["checks_the_origin_first"]),
        ("no-auth-stack", ["sees_the_user"]),
        ("route-without-as-asgi", ["sees_the_user"]),
        ("no-catch-all", ["refuses_unknown_paths"]),
        ("no-http-entry", ["http_reaches_django"]),
    ],
)
def test_a_wrong_seed_stack_fails_only_where_it_is_wrong(name, checks):
    answer = next(a for a in WRONG_ANSWERS if a.id == f"{SEED}:{name}")

    report = seed_grade(answer.cell)

    assert list(failing(report)) == checks, messages(report)
    assert all(r.status == "failed" for r in report.results if not r.passed), messages(report)
    assert answer.says in message_of(report, checks[-1])
