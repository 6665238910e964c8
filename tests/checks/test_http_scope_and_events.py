"""Lesson 02's checks on wrong answers: each one fails, and is told why.

The solution's full marks and the released stub's zero are tested in test_both_ways.py.
"""

from urllib.parse import parse_qs

import pytest

from course.checks import grade
from course.checks.http_scope_and_events import STILL_WAITING
from tests.checks import wrong
from tests.checks.helpers import (
    message_of,
    messages,
    status_of,
)
from tests.checks.wrong import WrongAnswer

TIMEOUT = 2.0

# What students write: graded in a kernel through check() and in batch (tests/checks/wrong.py).
ECHO = """
async def echo_app(scope, receive, send):
    body = b""
    more_body = True
    while {loop}:
        message = await receive()
        {add}
        more_body = message.get("more_body", False)
    content_type = dict(scope["headers"]).get({name}, b"application/octet-stream")
    headers = [(b"content-type", content_type), (b"content-length", {length})]
    await send({{"type": "http.response.start", "status": 200, "headers": headers}})
    await send({{"type": "http.response.body", "body": body}})
"""
RIGHT_ECHO = {
    "loop": "more_body",
    "add": 'body += message.get("body", b"")',
    "name": 'b"content-type"',
    "length": "str(len(body)).encode()",
}
STREAM = """
from urllib.parse import parse_qs


async def stream_app(scope, receive, send):
    await receive()
    parts = {parts}
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    await send({{"type": "http.response.start", "status": 200, "headers": headers}})
    for n in {numbers}:
        part = f"part {{n}}\\n".encode()
        await send({{"type": "http.response.body", "body": part{more}}})
    {end}
"""
RIGHT_STREAM = {
    "parts": 'int(parse_qs(scope["query_string"].decode()).get("parts", ["3"])[0])',
    "numbers": "range(1, parts + 1)",
    "more": ', "more_body": True',
    "end": 'await send({"type": "http.response.body", "body": b""})',
}


def echo(**mistake: str) -> str:
    return ECHO.format(**{**RIGHT_ECHO, **mistake})


def stream(**mistake: str) -> str:
    return STREAM.format(**{**RIGHT_STREAM, **mistake})


WRONG_ANSWERS = [
    WrongAnswer(
        "body-echo",
        "first-piece-only",
        """
        async def echo_app(scope, receive, send):
            message = await receive()
            body = message.get("body", b"")
            content_type = dict(scope["headers"]).get(b"content-type", b"application/octet-stream")
            length = str(len(body)).encode()
            headers = [(b"content-type", content_type), (b"content-length", length)]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        """,
        "echo_app",
        "only the first piece",
    ),
    WrongAnswer(
        "body-echo",
        "last-piece-only",
        echo(add='body = message.get("body", b"")'),
        "echo_app",
        "only the last piece",
    ),
    WrongAnswer(
        "body-echo",
        "waits-for-disconnect",
        echo(
            loop="True",
            add='if message["type"] == "http.disconnect":\n            break\n'
            '        body += message.get("body", b"")',
        ),
        "echo_app",
        "more_body False",
    ),
    WrongAnswer(
        "body-echo",
        "length-of-the-last-piece",
        echo(length='str(len(message.get("body", b""))).encode()'),
        "echo_app",
        "Count the whole body",
    ),
    WrongAnswer(
        "body-echo",
        "content-type-capitalised",
        echo(name='b"Content-Type"'),
        "echo_app",
        "lower-case",
    ),
    WrongAnswer(
        "body-echo",
        "content-length-int",
        echo(length="len(body)"),
        "echo_app",
        "str(len(body)).encode()",
    ),
    WrongAnswer(
        "streaming-response",
        "all-in-one",
        """
        from urllib.parse import parse_qs


        async def stream_app(scope, receive, send):
            await receive()
            parts = int(parse_qs(scope["query_string"].decode()).get("parts", ["3"])[0])
            text = "".join(f"part {n}\\n" for n in range(1, parts + 1))
            headers = [(b"content-type", b"text/plain; charset=utf-8")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": text.encode()})
        """,
        "stream_app",
        "whole body in one http.response.body",
    ),
    WrongAnswer(
        "streaming-response",
        "never-ends",
        stream(end="pass"),
        "stream_app",
        "never finished",
    ),
    WrongAnswer(
        "streaming-response",
        "no-more-body",
        stream(more=""),
        "stream_app",
        "sent more after the response was complete",
    ),
    WrongAnswer(
        "streaming-response",
        "query-ignored",
        stream(parts="3"),
        "stream_app",
        "scope['query_string']",
    ),
    WrongAnswer(
        "streaming-response",
        "counts-from-zero",
        stream(numbers="range(parts)"),
        "stream_app",
        "range(1, parts + 1)",
    ),
    WrongAnswer(
        "streaming-response",
        "parts-left-a-str",
        stream(parts='parse_qs(scope["query_string"].decode()).get("parts", [3])[0]'),
        "stream_app",
        "int(",
    ),
    WrongAnswer(
        "streaming-response",
        "no-default",
        stream(parts='int(parse_qs(scope["query_string"].decode())["parts"][0])'),
        "stream_app",
        "default 3",
    ),
]
test_wrong_answers_lose_points_in_a_kernel, test_wrong_answers_lose_points_in_batch = (
    wrong.tests_for(WRONG_ANSWERS)
)


test_each_wrong_answer_loses_points_and_is_told_why_in_process = wrong.in_process_test(
    WRONG_ANSWERS
)


# ---- body-echo: wrong answers --------------------------------------------------------------


def echo_headers(scope, body):
    kind = dict(scope["headers"]).get(b"content-type", b"application/octet-stream")
    return [(b"content-type", kind), (b"content-length", str(len(body)).encode())]


async def first_piece_only(scope, receive, send):
    body = (await receive())["body"]
    await send({"type": "http.response.start", "status": 200, "headers": echo_headers(scope, body)})
    await send({"type": "http.response.body", "body": body})


async def last_piece_only(scope, receive, send):
    more_body = True
    while more_body:
        message = await receive()
        body = message.get("body", b"")  # replaces instead of adding
        more_body = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": echo_headers(scope, body)})
    await send({"type": "http.response.body", "body": body})


async def body_from_scope(scope, receive, send):
    body = scope["body"]
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


async def reads_until_disconnect(scope, receive, send):
    """Ignores more_body: waits for an http.disconnect that a live client never sends."""
    body = b""
    while (message := await receive())["type"] == "http.request":
        body += message.get("body", b"")
    await send({"type": "http.response.start", "status": 200, "headers": echo_headers(scope, body)})
    await send({"type": "http.response.body", "body": body})


async def str_body_join(scope, receive, send):
    body = ""
    more_body = True
    while more_body:
        message = await receive()
        body += message.get("body", b"")  # TypeError: str + bytes
        more_body = message.get("more_body", False)


async def str_headers(scope, receive, send):
    body = b""
    more_body = True
    while more_body:
        message = await receive()
        body += message.get("body", b"")
        more_body = message.get("more_body", False)
    headers = [("content-type", "application/octet-stream"), ("content-length", str(len(body)))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def echo_with(headers):
    """A right reader with its own response headers."""

    async def echo_app(scope, receive, send):
        body = b""
        more_body = True
        while more_body:
            message = await receive()
            body += message.get("body", b"")
            more_body = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": headers(scope, body)})
        await send({"type": "http.response.body", "body": body})

    return echo_app


no_content_length = echo_with(lambda scope, body: [(b"content-type", b"text/plain")])
fixed_content_type = echo_with(
    lambda scope, body: [
        (b"content-type", b"application/octet-stream"),
        (b"content-length", str(len(body)).encode()),
    ]
)


def test_reading_only_the_first_piece_fails_many_pieces_and_headers():
    report = grade("body-echo", {"echo_app": first_piece_only}, timeout=TIMEOUT)

    assert status_of(report, "echoes_one_piece") == "passed"
    assert status_of(report, "echoes_an_empty_body") == "passed"
    message = message_of(report, "echoes_many_pieces")
    assert "only the first piece" in message and "more_body is True" in message
    assert "content-length" in message_of(report, "sets_the_headers")
    assert repr(report.score) == "2/4 points"


def test_replacing_instead_of_adding_is_told_it_kept_the_last_piece():
    report = grade("body-echo", {"echo_app": last_piece_only}, timeout=TIMEOUT)

    assert "only the last piece" in message_of(report, "echoes_many_pieces")
    assert status_of(report, "echoes_one_piece") == "passed"


def test_reading_the_body_from_the_scope_is_told_the_body_is_never_there():
    report = grade("body-echo", {"echo_app": body_from_scope}, timeout=TIMEOUT)

    assert report.score.points == 0
    assert {r.status for r in report.results} == {"failed"}
    for r in report.results:
        assert "never in the scope" in r.message, r.message
        assert "receive()" in r.message


def test_waiting_for_a_disconnect_instead_of_more_body_false_is_told_so():
    report = grade("body-echo", {"echo_app": reads_until_disconnect}, timeout=TIMEOUT)

    assert report.score.points == 0
    first = report.results[0]
    assert first.status == "failed"
    assert first.message == STILL_WAITING.format(name="echo_app")
    assert "more_body False" in first.message


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [(str_body_join, "raised TypeError"), (str_headers, "pairs of bytes")],
    ids=["str-body", "str-headers"],
)
def test_str_instead_of_bytes_fails_every_check_with_bytes_advice(answer, fragment):
    report = grade("body-echo", {"echo_app": answer}, timeout=TIMEOUT)

    assert report.score.points == 0
    assert all(fragment in r.message for r in report.results), messages(report)


def test_a_missing_content_length_fails_only_the_header_checks():
    report = grade("body-echo", {"echo_app": no_content_length}, timeout=TIMEOUT)

    assert status_of(report, "echoes_many_pieces") == "passed"
    assert "content-length header is None" in message_of(report, "echoes_an_empty_body")
    assert "content-length" in message_of(report, "sets_the_headers")
    assert repr(report.score) == "2/4 points"


def test_ignoring_the_request_content_type_is_told_where_to_read_it():
    report = grade("body-echo", {"echo_app": fixed_content_type}, timeout=TIMEOUT)

    message = message_of(report, "sets_the_headers")
    assert "b'application/json'" in message and "scope['headers']" in message
    assert repr(report.score) == "3/4 points"


# ---- streaming-response: wrong answers -----------------------------------------------------

TEXT = [(b"content-type", b"text/plain; charset=utf-8")]


def count(scope):
    return int(parse_qs(scope["query_string"].decode()).get("parts", ["3"])[0])


def parts(scope):
    return [f"part {n}\n".encode() for n in range(1, count(scope) + 1)]


async def never_ends(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": TEXT})
    for part in parts(scope):
        await send({"type": "http.response.body", "body": part, "more_body": True})


async def all_in_one(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": TEXT})
    await send({"type": "http.response.body", "body": b"".join(parts(scope))})


async def no_more_body(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": TEXT})
    for part in parts(scope):
        await send({"type": "http.response.body", "body": part})


async def stream_str_headers(scope, receive, send):
    headers = [("content-type", "text/plain")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    for part in parts(scope):
        await send({"type": "http.response.body", "body": part, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def body_first(scope, receive, send):
    for part in parts(scope):
        await send({"type": "http.response.body", "body": part, "more_body": True})
    await send({"type": "http.response.start", "status": 200, "headers": TEXT})
    await send({"type": "http.response.body", "body": b""})


async def always_three(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": TEXT})
    for part in parts({"query_string": b""}):
        await send({"type": "http.response.body", "body": part, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def last_part_ends_it(scope, receive, send):
    """Right too: the last part itself carries more_body=False."""
    await send({"type": "http.response.start", "status": 200, "headers": TEXT})
    *first, last = parts(scope)
    for part in first:
        await send({"type": "http.response.body", "body": part, "more_body": True})
    await send({"type": "http.response.body", "body": last})


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (never_ends, "never finished"),
        (no_more_body, "sent more after the response was complete"),
        (stream_str_headers, "pairs of bytes"),
        (body_first, "before http.response.start"),
    ],
    ids=["never-ends", "no-more-body", "str-headers", "body-first"],
)
def test_a_broken_stream_fails_every_check_and_says_why(answer, fragment):
    report = grade("streaming-response", {"stream_app": answer}, timeout=TIMEOUT)

    assert report.score.points == 0
    assert {r.status for r in report.results} == {"failed"}, messages(report)
    assert all(fragment in r.message for r in report.results), messages(report)


def test_everything_in_one_message_fails_only_the_streaming_check():
    report = grade("streaming-response", {"stream_app": all_in_one}, timeout=TIMEOUT)

    message = message_of(report, "sends_each_part_alone")
    assert message.startswith("stream_app sent its whole body in one http.response.body")
    assert "more_body=True" in message
    assert repr(report.score) == "3/4 points"


def test_ignoring_the_query_string_fails_only_the_count_check():
    report = grade("streaming-response", {"stream_app": always_three}, timeout=TIMEOUT)

    message = message_of(report, "counts_the_parts")
    assert message.startswith("for GET /?parts=1 stream_app sent b'part 1\\npart 2\\npart 3\\n'")
    assert "query_string" in message
    assert repr(report.score) == "3/4 points"


def test_ending_with_the_last_part_itself_is_right_too():
    report = grade("streaming-response", {"stream_app": last_part_ends_it}, timeout=TIMEOUT)

    assert report.score.full, messages(report)
