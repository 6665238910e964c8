"""Lesson 01's checks on wrong answers: each one fails, and is told why.

The solution's full marks and the released stub's zero are tested in test_both_ways.py.
"""

import asyncio
from urllib.parse import parse_qs

import pytest

from course.checks import grade
from course.checks.asgi_in_one_function import by_hand
from tests.checks import wrong
from tests.checks.helpers import (
    SOLUTIONS_DIR,
    message_of,
    messages,
    solution_namespace,
    status_of,
)
from tests.checks.wrong import WrongAnswer

NOTEBOOK = SOLUTIONS_DIR / "01-asgi-in-one-function.ipynb"
TIMEOUT = 1.0

# What students write: graded in a kernel through check() and in batch (tests/checks/wrong.py).
GREETING = """
from urllib.parse import parse_qs


async def greeting_app(scope, receive, send):
    {route}
        status, text = 404, {missing}
    else:
        query = parse_qs(scope["query_string"].decode())
        status, text = 200, {text}
    headers = {headers}
    {await}send({{"type": "http.response.start", "status": status, "headers": headers}})
    {await}send({{"type": "http.response.body", "body": text.encode()}})
"""
RIGHT = {
    "route": 'if scope["path"] != "/hello":',
    "missing": '"Not found"',
    "text": "f\"Hello, {query.get('name', ['world'])[0]}!\"",
    "headers": '[(b"content-type", b"text/plain; charset=utf-8")]',
    "await": "await ",
}


def greeting(**mistake: str) -> str:
    return GREETING.format(**{**RIGHT, **mistake})


CALL_APP = """
async def call_app(app, path):
    {split}
    scope = {{
        "type": {kind},
        "method": "GET",
        "path": path,
        "query_string": {query},
        "headers": [(b"host", b"localhost")],
    }}
    incoming = [{{"type": "http.request", "body": b"", "more_body": False}}]
    sent = []

    async def receive():
        {receive}

    async def send(message):
        sent.append(message)

    {run}
    status = sent[0]["status"]
    {body}
    return status, body
"""
RIGHT_CALL = {
    "split": 'path, _, query = path.partition("?")',
    "kind": '"http"',
    "query": "query.encode()",
    "receive": 'return incoming.pop(0) if incoming else {"type": "http.disconnect"}',
    "run": "await app(scope, receive, send)",
    "body": 'body = b"".join(m.get("body", b"") for m in sent '
    'if m["type"] == "http.response.body")',
}


def call_app_with(**mistake: str) -> str:
    return CALL_APP.format(**{**RIGHT_CALL, **mistake})


WRONG_ANSWERS = [
    WrongAnswer(
        "greeting-app",
        "route-by-prefix",
        greeting(route='if not scope["path"].startswith("/hello"):'),
        "greeting_app",
        "startswith('/hello')",
    ),
    WrongAnswer(
        "greeting-app",
        "name-ignored",
        greeting(text='"Hello, world!"'),
        "greeting_app",
        "ignored the name",
    ),
    WrongAnswer(
        "greeting-app",
        "name-required",
        greeting(text="f\"Hello, {query['name'][0]}!\""),
        "greeting_app",
        "no name in the query string",
    ),
    WrongAnswer(
        "greeting-app",
        "query-split-by-hand",
        greeting(text="f\"Hello, {scope['query_string'].decode().partition('=')[2] or 'world'}!\""),
        "greeting_app",
        "URL-encoded",
    ),
    WrongAnswer(
        "greeting-app",
        "send-not-awaited",
        greeting(**{"await": ""}),
        "greeting_app",
        "without await",
    ),
    WrongAnswer(
        "greeting-app",
        "returns-the-response",
        """
        async def greeting_app(scope, receive, send):
            if scope["path"] != "/hello":
                return {"status": 404, "body": b"Not found"}
            return {"status": 200, "body": b"Hello, world!"}
        """,
        "greeting_app",
        "instead of sending it",
    ),
    WrongAnswer(
        "greeting-app",
        "no-content-type",
        greeting(headers="[]"),
        "greeting_app",
        "content-type",
    ),
    WrongAnswer(
        "greeting-app",
        "empty-404",
        greeting(missing='""'),
        "greeting_app",
        "the 404 has an empty body",
    ),
    WrongAnswer(
        "call-by-hand",
        "first-body-only",
        call_app_with(
            body='body = [m for m in sent if m["type"] == "http.response.body"][0]["body"]'
        ),
        "call_app",
        "join them",
    ),
    WrongAnswer(
        "call-by-hand",
        "query-left-in-path",
        call_app_with(split="", query='b""'),
        "call_app",
        "the path stops at '?'",
    ),
    WrongAnswer(
        "call-by-hand",
        "query-string-as-str",
        call_app_with(query="query"),
        "call_app",
        "query.encode()",
    ),
    WrongAnswer(
        "call-by-hand",
        "app-not-awaited",
        call_app_with(run="app(scope, receive, send)"),
        "call_app",
        "await app(scope, receive, send)",
    ),
    WrongAnswer(
        "call-by-hand",
        "request-forever",
        call_app_with(receive='return {"type": "http.request", "body": b"", "more_body": False}'),
        "call_app",
        "http.disconnect",
    ),
    WrongAnswer(
        "call-by-hand",
        "message-type-as-scope-type",
        call_app_with(kind='"http.request"'),
        "call_app",
        "the type of a message",
    ),
    WrongAnswer(
        "call-by-hand",
        "bodies-as-a-list",
        call_app_with(body='body = [m["body"] for m in sent if m["type"] == "http.response.body"]'),
        "call_app",
        'b"".join',
    ),
]
test_wrong_answers_lose_points_in_a_kernel, test_wrong_answers_lose_points_in_batch = (
    wrong.tests_for(WRONG_ANSWERS)
)


test_each_wrong_answer_loses_points_and_is_told_why_in_process = wrong.in_process_test(
    WRONG_ANSWERS
)


def model(name: str) -> dict:
    return solution_namespace(NOTEBOOK, name)


# ---- the model answer ----------------------------------------------------------------------


def test_the_model_call_app_calls_the_model_greeting_app():
    namespace = {**model("greeting_app"), **model("call_app")}
    call_app, greeting_app = namespace["call_app"], namespace["greeting_app"]

    assert asyncio.run(call_app(greeting_app, "/hello?name=Grace")) == (200, b"Hello, Grace!")
    assert asyncio.run(call_app(greeting_app, "/elsewhere"))[0] == 404


# ---- greeting-app: wrong answers -----------------------------------------------------------

HEADERS = [(b"content-type", b"text/plain; charset=utf-8")]


def greeting_for(scope) -> tuple[int, str]:
    """What a right answer says: (status, text)."""
    if scope["path"] != "/hello":
        return 404, "Not found"
    name = parse_qs(scope["query_string"].decode()).get("name", ["world"])[0]
    return 200, f"Hello, {name}!"


async def body_before_start(scope, receive, send):
    status, text = greeting_for(scope)
    await send({"type": "http.response.body", "body": text.encode()})
    await send({"type": "http.response.start", "status": status, "headers": HEADERS})


async def never_finishes(scope, receive, send):
    status, text = greeting_for(scope)
    await send({"type": "http.response.start", "status": status, "headers": HEADERS})
    await send({"type": "http.response.body", "body": text.encode(), "more_body": True})


async def str_headers(scope, receive, send):
    status, text = greeting_for(scope)
    headers = [("content-type", "text/plain")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text.encode()})


async def always_200(scope, receive, send):
    _, text = greeting_for({**scope, "path": "/hello"})
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": text.encode()})


async def no_url_decoding(scope, receive, send):
    query = scope["query_string"].decode()
    name = query.split("=", 1)[1] if "=" in query else "world"
    status = 200 if scope["path"] == "/hello" else 404
    await send({"type": "http.response.start", "status": status, "headers": HEADERS})
    await send({"type": "http.response.body", "body": f"Hello, {name}!".encode()})


async def query_string_as_str(scope, receive, send):
    parts = scope["query_string"].split("=")  # TypeError: it is bytes
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": f"Hello, {parts[-1]}!".encode()})


def not_async(scope, receive, send):
    return None


async def sends_nothing(scope, receive, send):
    return None


async def str_body(scope, receive, send):
    status, text = greeting_for(scope)
    await send({"type": "http.response.start", "status": status, "headers": HEADERS})
    await send({"type": "http.response.body", "body": text})


async def str_status(scope, receive, send):
    status, text = greeting_for(scope)
    await send({"type": "http.response.start", "status": str(status), "headers": HEADERS})
    await send({"type": "http.response.body", "body": text.encode()})


async def two_parameters(scope, send):
    return None


@pytest.mark.parametrize(
    ("answer", "fragment", "failing"),
    [
        (body_before_start, "before http.response.start", 4),
        (never_finishes, "never finished", 4),
        (str_headers, "pairs of bytes", 4),
        (always_200, "404", 1),
        (no_url_decoding, "URL-encoded", 1),
        (query_string_as_str, "bytes", 4),
        (not_async, "is not async", 4),
        (sends_nothing, "sent nothing", 4),
        (str_body, "the body must be bytes", 4),
        (str_status, "needs an int status", 4),
        (two_parameters, "takes 2 parameters", 4),
    ],
    ids=lambda value: value.__name__ if callable(value) else None,
)
def test_a_wrong_greeting_app_is_told_why(answer, fragment, failing):
    report = grade("greeting-app", {"greeting_app": answer}, timeout=TIMEOUT)

    assert not report.score.full
    wrong = [r for r in report.results if not r.passed]
    assert len(wrong) == failing, messages(report)
    assert all(r.status == "failed" for r in wrong), messages(report)
    assert all(fragment in r.message for r in wrong), messages(report)


def test_always_200_fails_only_the_404_check():
    report = grade("greeting-app", {"greeting_app": always_200}, timeout=TIMEOUT)

    assert status_of(report, "other_paths_are_not_found") == "failed"
    assert message_of(report, "other_paths_are_not_found").startswith("GET /nope answered 200")
    assert repr(report.score) == "3/4 points"


def test_no_url_decoding_fails_only_the_decoding_check():
    report = grade("greeting-app", {"greeting_app": no_url_decoding}, timeout=TIMEOUT)

    message = message_of(report, "decodes_the_query")
    assert "b'Hello, Ada%20Lovelace!'" in message
    assert "parse_qs" in message
    assert repr(report.score) == "3/4 points"


def test_query_string_as_str_gets_bytes_guidance():
    report = grade("greeting-app", {"greeting_app": query_string_as_str}, timeout=TIMEOUT)

    message = report.results[0].message
    assert message.startswith("greeting_app raised TypeError:")
    assert "query_string" in message and "decode" in message


class GreetingApp:
    """An app as an object with an async __call__: as good as an async def."""

    async def __call__(self, scope, receive, send):
        status, text = greeting_for(scope)
        await send({"type": "http.response.start", "status": status, "headers": HEADERS})
        await send({"type": "http.response.body", "body": text.encode()})

    async def app(self, scope, receive, send):
        await self(scope, receive, send)


@pytest.mark.parametrize("app", [GreetingApp(), GreetingApp().app], ids=["instance", "method"])
def test_a_right_greeting_app_need_not_be_a_plain_function(app):
    report = grade("greeting-app", {"greeting_app": app}, timeout=TIMEOUT)

    assert report.score.full, messages(report)


def test_a_crashing_greeting_app_is_an_error_that_says_where():
    async def crashes(scope, receive, send):
        return scope["no such key"]

    report = grade("greeting-app", {"greeting_app": crashes}, timeout=TIMEOUT)

    assert {r.status for r in report.results} == {"error"}
    assert "KeyError" in report.results[0].message
    assert "(in crashes, line" in report.results[0].message


def test_a_missing_greeting_app_says_to_run_its_cell():
    report = grade("greeting-app", {}, timeout=TIMEOUT)

    assert {r.status for r in report.results} == {"failed"}
    assert "`greeting_app` is not defined" in report.results[0].message


# ---- call-by-hand: wrong answers -----------------------------------------------------------


def make_call_app(
    *,
    scope_keys=("type", "method", "path", "query_string", "headers"),
    receive_forever=None,
    join=True,
    result=tuple,
):
    """A call_app with one mistake, chosen by the keyword arguments."""

    async def call_app(app, path):
        path, _, query = path.partition("?")
        full = {
            "type": "http",
            "method": "GET",
            "path": path,
            "query_string": query.encode(),
            "headers": [],
        }
        scope = {k: v for k, v in full.items() if k in scope_keys}
        calls = 0

        async def receive():
            nonlocal calls
            calls += 1
            if calls == 1:
                return {"type": "http.request", "body": b"", "more_body": False}
            if receive_forever == "request":
                return {"type": "http.request", "body": b"", "more_body": False}
            if receive_forever == "block":
                await asyncio.Event().wait()
            return {"type": "http.disconnect"}

        sent = []

        async def send(message):
            sent.append(message)

        await app(scope, receive, send)
        bodies = [m.get("body", b"") for m in sent if m["type"] == "http.response.body"]
        body = b"".join(bodies) if join else bodies[0]
        return result((sent[0]["status"], body))

    return call_app


def test_the_right_call_app_of_this_file_passes():
    """The baseline for the mistakes below: with none of them, full marks."""
    assert grade("call-by-hand", {"call_app": make_call_app()}, timeout=TIMEOUT).score.full


@pytest.mark.parametrize(
    ("mistake", "check", "fragment"),
    [
        ({"join": False}, "joins_the_pieces", "pieces"),
        (
            {"scope_keys": ("type", "method", "query_string", "headers")},
            "builds_a_scope",
            "has no 'path' key",
        ),
        ({"receive_forever": "request"}, "request_then_disconnect", "http.disconnect"),
    ],
    ids=["first-chunk-only", "no-path-in-scope", "always-http-request"],
)
def test_a_wrong_call_app_fails_one_check(mistake, check, fragment):
    report = grade("call-by-hand", {"call_app": make_call_app(**mistake)}, timeout=TIMEOUT)

    wrong = [r for r in report.results if not r.passed]
    assert [r.check for r in wrong] == [check], messages(report)
    assert wrong[0].status == "failed"
    assert fragment in wrong[0].message
    assert repr(report.score) == "3/4 points"


def test_a_call_app_that_returns_a_list_is_told_to_return_a_tuple():
    report = grade("call-by-hand", {"call_app": make_call_app(result=list)}, timeout=TIMEOUT)

    assert report.score.points == 0
    assert {r.status for r in report.results} == {"failed"}
    assert "return a tuple" in report.results[0].message
    assert "returned [200, b'hi']" in report.results[0].message


def test_a_receive_that_never_answers_times_out_with_the_checks_own_hint():
    report = grade(
        "call-by-hand", {"call_app": make_call_app(receive_forever="block")}, timeout=0.5
    )

    last = report.results[-1]
    assert [r.status for r in report.results] == ["passed", "passed", "passed", "timeout"]
    assert last.check == "request_then_disconnect"
    assert last.message == by_hand.checks[-1].on_timeout
    assert "http.disconnect" in last.message
    assert 0.5 <= last.seconds < 1.5  # its own 0.5 s, not the 2 s default


def test_a_sync_call_app_is_not_async():
    def call_app(app, path):
        return 200, b"hi"

    report = grade("call-by-hand", {"call_app": call_app}, timeout=TIMEOUT)

    assert report.score.points == 0
    assert "call_app is not async" in report.results[0].message
