"""Lesson 03's checks on wrong answers: each one fails, and is told why.

The solution's full marks and the released stub's zero are tested in test_both_ways.py.
The strict server the checks talk through (course/checks/_support/websocket.py) is tested
at the end.
"""

import contextlib
import time

import pytest

from course.checking.model import Fail
from course.checks import grade
from course.checks._support.websocket import converse, requires_close_code
from tests.checks import wrong
from tests.checks.helpers import (
    message_of,
    messages,
)
from tests.checks.wrong import WrongAnswer

TIMEOUT = 2.0  # the runner's default: what a student's check() gets
CHECKS = [
    "accepts_shout",
    "refuses_others",
    "shouts_text",
    "echoes_bytes",
    "returns_on_disconnect",
]


# What students write: graded in a kernel through check() and in batch (tests/checks/wrong.py).
UPPER = """
async def upper_echo(scope, receive, send):
    while True:
        message = await receive()
        if message["type"] == "websocket.connect":
            if {refuse}:
                await send({{"type": "websocket.close"}})
                return
            await send({{"type": "websocket.accept"{subprotocol}}})
        elif message["type"] == "websocket.receive":
            if {is_text}:
                await send({{"type": "websocket.send", "text": message["text"].upper()}})
            else:
                {on_bytes}
        {on_disconnect}
"""
RIGHT = {
    "refuse": '"shout.v1" not in scope["subprotocols"]',
    "subprotocol": ', "subprotocol": "shout.v1"',
    "is_text": 'message.get("text") is not None',
    "on_bytes": 'await send({"type": "websocket.send", "bytes": message["bytes"]})',
    "on_disconnect": 'elif message["type"] == "websocket.disconnect":\n            return',
}


def upper(**mistake: str) -> str:
    return UPPER.format(**{**RIGHT, **mistake})


WRONG_ANSWERS = [
    WrongAnswer(
        "upper-echo",
        "truthy-text-test",
        upper(is_text='message.get("text")'),
        "upper_echo",
        "the empty text frame",
    ),
    WrongAnswer(
        "upper-echo",
        "upper-cases-bytes",
        upper(on_bytes='await send({"type": "websocket.send", "bytes": message["bytes"].upper()})'),
        "upper_echo",
        "not upper-cased",
    ),
    WrongAnswer(
        "upper-echo",
        "closes-1003-on-bytes",
        upper(on_bytes='await send({"type": "websocket.close", "code": 1003})'),
        "upper_echo",
        "bytes come back unchanged",
    ),
    WrongAnswer(
        "upper-echo",
        "closes-4003-on-bytes",  # what a generic "use 4000-4999" message leads to
        upper(on_bytes='await send({"type": "websocket.close", "code": 4003})'),
        "upper_echo",
        "bytes come back unchanged",
    ),
    WrongAnswer(
        "upper-echo",
        "accepts-everyone",
        upper(refuse="False"),
        "upper_echo",
        "refuse: send websocket.close before any websocket.accept",
    ),
    WrongAnswer(
        "upper-echo",
        "accepts-without-subprotocol",
        upper(subprotocol=""),
        "upper_echo",
        "'subprotocol': 'shout.v1'",
    ),
    WrongAnswer(
        "upper-echo",
        "subprotocols-list-accepted",
        upper(subprotocol=', "subprotocol": scope["subprotocols"]'),
        "upper_echo",
        "one str",
    ),
    WrongAnswer(
        "upper-echo",
        "never-returns",
        upper(on_disconnect=""),
        "upper_echo",
        "still running after websocket.disconnect",
    ),
]
test_wrong_answers_lose_points_in_a_kernel, test_wrong_answers_lose_points_in_batch = (
    wrong.tests_for(WRONG_ANSWERS)
)


test_each_wrong_answer_loses_points_and_is_told_why_in_process = wrong.in_process_test(
    WRONG_ANSWERS
)


# ---- wrong answers -------------------------------------------------------------------------


def upper_echo_with(
    *,
    offered_only=True,
    subprotocol="shout.v1",
    shout=True,
    shout_bytes=False,
    greet_first=False,
    on_disconnect="return",
    on_bytes="echo",
):
    """An upper_echo with one mistake, chosen by the keyword arguments."""

    async def upper_echo(scope, receive, send):
        while True:
            message = await receive()
            if message["type"] == "websocket.connect":
                if greet_first:
                    await send({"type": "websocket.send", "text": "READY"})
                if offered_only and "shout.v1" not in scope["subprotocols"]:
                    await send({"type": "websocket.close"})
                else:
                    await send({"type": "websocket.accept", "subprotocol": subprotocol})
            elif message["type"] == "websocket.receive":
                if on_bytes == "as-text":
                    await send({"type": "websocket.send", "text": message["text"].upper()})
                elif message.get("text") is not None:
                    text = message["text"].upper() if shout else message["text"]
                    await send({"type": "websocket.send", "text": text})
                elif on_bytes == "close-1003":
                    await send({"type": "websocket.close", "code": 1003})
                else:
                    data = message["bytes"].upper() if shout_bytes else message["bytes"]
                    await send({"type": "websocket.send", "bytes": data})
            elif on_disconnect == "return":
                return

    return upper_echo


def test_the_right_answer_of_this_file_passes():
    """The baseline for the mistakes below: with none of them, full marks."""
    report = grade("upper-echo", {"upper_echo": upper_echo_with()}, timeout=TIMEOUT)

    assert report.score.full, messages(report)


@pytest.mark.parametrize(
    ("mistake", "failing", "fragment"),
    [
        (
            {"offered_only": False, "subprotocol": None},
            ["accepts_shout", "refuses_others", "returns_on_disconnect"],
            "accepted",
        ),
        ({"subprotocol": None}, ["accepts_shout"], "accepted with subprotocol=None"),
        (
            {"offered_only": False},
            ["refuses_others", "returns_on_disconnect"],
            "not shout.v1, and upper_echo accepted it: when 'shout.v1' is not in",
        ),
        ({"shout": False}, ["shouts_text", "returns_on_disconnect"], "came back unchanged"),
        ({"shout_bytes": True}, ["echoes_bytes", "returns_on_disconnect"], "not upper-cased"),
        ({"greet_first": True}, CHECKS, "websocket.send before websocket.accept"),
        ({"on_disconnect": "loop"}, ["returns_on_disconnect"], "still running after"),
        ({"on_bytes": "as-text"}, ["echoes_bytes", "returns_on_disconnect"], "KeyError: 'text'"),
        (
            {"on_bytes": "close-1003"},
            ["echoes_bytes", "returns_on_disconnect"],
            "(code 1003) after the client sent b",
        ),
    ],
    ids=[
        "accepts-everyone-without-subprotocol",
        "accepts-without-setting-subprotocol",
        "accepts-everyone-with-shout",
        "echoes-text-unchanged",
        "upper-cases-bytes",
        "sends-before-accept",
        "never-returns-after-disconnect",
        "reads-text-of-a-bytes-frame",
        "closes-1003-on-bytes",
    ],
)
def test_a_wrong_upper_echo_is_told_why(mistake, failing, fragment):
    report = grade("upper-echo", {"upper_echo": upper_echo_with(**mistake)}, timeout=TIMEOUT)

    wrong = [r for r in report.results if not r.passed]
    assert [r.check for r in wrong] == failing, messages(report)
    assert {r.status for r in wrong} == {"failed"}, messages(report)
    for r in wrong:
        assert fragment in r.message, r.message


def test_accepting_a_client_without_shout_names_what_it_offered():
    answer = upper_echo_with(offered_only=False, subprotocol=None)
    report = grade("upper-echo", {"upper_echo": answer}, timeout=TIMEOUT)

    message = message_of(report, "refuses_others")
    assert message.startswith("the client offered [], not shout.v1, and upper_echo accepted it")
    assert "websocket.close" in message


def test_an_app_that_never_returns_costs_a_fraction_of_a_second_not_a_hang():
    answer = upper_echo_with(on_disconnect="loop")
    started = time.perf_counter()
    report = grade("upper-echo", {"upper_echo": answer}, timeout=TIMEOUT)

    assert time.perf_counter() - started < 4
    assert repr(report.score) == "4/5 points"
    assert all(r.seconds < 1.5 for r in report.results), messages(report)
    assert "daphne waits 10 s" in message_of(report, "returns_on_disconnect")


def test_an_app_that_never_answers_connect_is_told_so():
    async def upper_echo(scope, receive, send):
        while True:
            await receive()  # never accepts, never closes

    report = grade("upper-echo", {"upper_echo": upper_echo}, timeout=TIMEOUT)

    assert report.score.points == 0
    assert "never answered websocket.connect" in message_of(report, "accepts_shout")


def test_a_sync_upper_echo_is_not_async():
    def upper_echo(scope, receive, send):
        return None

    report = grade("upper-echo", {"upper_echo": upper_echo}, timeout=TIMEOUT)

    assert report.score.points == 0
    assert "upper_echo is not async" in report.results[0].message


# ---- the strict server itself --------------------------------------------------------------


def app_sending(*messages_to_send, accept=True):
    async def app(scope, receive, send):
        await receive()
        if accept:
            await send({"type": "websocket.accept"})
        for message in messages_to_send:
            await send(message)
        while (await receive())["type"] != "websocket.disconnect":
            pass

    return app


@pytest.mark.parametrize(
    ("app", "fragment"),
    [
        (app_sending({"type": "websocket.send", "text": "a", "bytes": b"b"}), "both text and"),
        (app_sending({"type": "websocket.send", "text_data": "a"}), "neither text nor bytes"),
        (app_sending({"type": "websocket.send", "text": b"a"}), "text must be a str"),
        (app_sending({"type": "websocket.accept"}), "websocket.accept twice"),
        (
            app_sending({"type": "websocket.http.response.start", "status": 403}, accept=False),
            "lists no extensions",
        ),
        (app_sending({"type": "http.response.start"}), "a WebSocket app sends"),
        (
            app_sending({"type": "websocket.close"}, {"type": "websocket.send", "text": "a"}),
            "after the connection was closed",
        ),
    ],
    ids=["both", "neither", "str-type", "accept-twice", "denial-extension", "http", "after-close"],
)
async def test_the_strict_server_names_the_broken_rule(app, fragment):
    with pytest.raises(Fail, match=fragment):
        await converse(app, frames=["hi"])


async def test_the_strict_server_reports_a_rule_even_when_the_app_swallows_it():
    async def swallows(scope, receive, send):
        await receive()
        with contextlib.suppress(Exception):
            await send({"type": "websocket.send", "text": "early"})
        await send({"type": "websocket.close"})

    with pytest.raises(Fail, match=r"before websocket\.accept"):
        await converse(swallows)


async def test_the_strict_server_answers_a_refusal_with_a_1006_disconnect():
    seen = []

    async def refuses(scope, receive, send):
        await receive()
        await send({"type": "websocket.close", "code": 4003})
        seen.append(await receive())

    talk = await converse(refuses, offer=["x"], frames=["never delivered"])

    assert talk.denied and talk.returned and talk.replies == []
    assert seen == [{"type": "websocket.disconnect", "code": 1006}]


async def test_an_app_error_comes_through_as_it_is():
    async def crashes(scope, receive, send):
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError, match="boom"):
        await converse(crashes)


async def test_an_exercises_own_close_code_rule_comes_before_the_servers_general_one():
    """Told "use 4000-4999" first, a student picks 4003 and keeps the bug: the exercise's own
    rule, with the code it needs, must be said instead."""
    judge = requires_close_code(4008, "the app", "past the rate limit")

    with pytest.raises(Fail) as info:
        await converse(app_sending({"type": "websocket.close", "code": 1008}), judge=judge)

    assert str(info.value) == (
        "the app closed the connection with code 1008: past the rate limit, close with code "
        "4008, {'type': 'websocket.close', 'code': 4008}."
    )
    talk = await converse(app_sending({"type": "websocket.close", "code": 4008}), judge=judge)
    assert talk.closed == {"type": "websocket.close", "code": 4008}


async def test_without_a_judge_the_general_close_code_rule_still_applies():
    with pytest.raises(Fail, match=r"code 1008: daphne \(through autobahn\) refuses"):
        await converse(app_sending({"type": "websocket.close", "code": 1008}))


async def test_the_strict_server_notes_each_frame_it_handed_over():
    talk = await converse(app_sending(), frames=["a", b"b"])

    assert talk.delivered == ["a", b"b"]
