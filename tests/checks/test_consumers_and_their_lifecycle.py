"""Lesson 04's checks on wrong consumers: each one fails, and is told why.

The solution's full marks and the released stub's zero are tested in test_both_ways.py.
"""

import json

import pytest
from channels.generic.websocket import AsyncJsonWebsocketConsumer, JsonWebsocketConsumer

from course.checks import grade
from course.checks.consumers_and_their_lifecycle import commands
from tests.checks import wrong
from tests.checks.helpers import (
    message_of,
    messages,
    status_of,
)
from tests.checks.wrong import WrongAnswer

TIMEOUT = 2.0
CHECKS = [check.name for check in commands]

# Each consumer's disconnect closes stale database connections in a worker thread; for
# pytest-django that is database access.
pytestmark = pytest.mark.django_db(transaction=True)


def graded(consumer):
    return grade("json-commands", {"CommandConsumer": consumer}, timeout=TIMEOUT)


# What students write: graded in a kernel through check() and in batch (tests/checks/wrong.py).
CONSUMER = """
import json

from channels.generic.websocket import AsyncJsonWebsocketConsumer


def error(message):
    return {{"type": "error", "error": message}}


class CommandConsumer(AsyncJsonWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        {binary}
        try:
            content = json.loads(text_data)
        except ValueError:
            {bad_json}
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        {not_a_dict}
        command = content.get("command")
        if command == "ping":
            reply = {{"type": "pong"}}
        elif command == "add":
            a, b = content.get("a"), content.get("b")
            if {numbers}:
                reply = {{"type": "result", "value": a + b}}
            else:
                reply = error('add needs "a" and "b", two numbers')
        elif command == "echo" and isinstance(content.get("text"), str):
            reply = {{"type": "echo", "text": content["text"]}}
        else:
            reply = error(f"cannot run {{command!r}}")
        await self.send_json(reply)
"""
RIGHT = {
    "binary": 'if text_data is None:\n            return await self.send_json(error("send text"))',
    "bad_json": 'await self.send_json(error("not JSON"))',
    "not_a_dict": "if not isinstance(content, dict):\n            return await self.send_json("
    'error("send an object"))',
    "numbers": "all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in (a, b))",
}


def consumer(**mistake: str) -> str:
    return CONSUMER.format(**{**RIGHT, **mistake})


WRONG_ANSWERS = [
    WrongAnswer(
        "json-commands",
        "dies-on-a-binary-frame",
        consumer(binary=""),
        "CommandConsumer",
        "binary frame",
    ),
    WrongAnswer(
        "json-commands",
        "inherited-receive",
        consumer().split("    async def receive(self")[0]
        + "    async def receive_json(self"
        + consumer().split("    async def receive_json(self")[1],
        "CommandConsumer",
        "override receive()",
    ),
    WrongAnswer(
        "json-commands",
        "closes-on-bad-json",
        consumer(bad_json="await self.close(code=4000)"),
        "CommandConsumer",
        "keep the connection open",
    ),
    WrongAnswer(
        "json-commands",
        "bool-is-a-number",
        consumer(numbers="all(isinstance(n, (int, float)) for n in (a, b))"),
        "CommandConsumer",
        "bool",
    ),
    WrongAnswer(
        "json-commands",
        "adds-anything",
        consumer(numbers="a is not None and b is not None"),
        "CommandConsumer",
        "add took two strings",
    ),
    WrongAnswer(
        "json-commands",
        "assumes-an-object",
        consumer(not_a_dict=""),
        "CommandConsumer",
        "isinstance(content, dict)",
    ),
    WrongAnswer(
        "json-commands",
        "error-under-message",
        consumer().replace(
            '{"type": "error", "error": message}', '{"type": "error", "message": message}'
        ),
        "CommandConsumer",
        'in its "error" key',
    ),
]
test_wrong_answers_lose_points_in_a_kernel, test_wrong_answers_lose_points_in_batch = (
    wrong.tests_for(WRONG_ANSWERS)
)


test_each_wrong_answer_loses_points_and_is_told_why_in_process = wrong.in_process_test(
    WRONG_ANSWERS
)


# ---- wrong answers: one mistake each, on top of a right answer -----------------------------


def error(message):
    return {"type": "error", "error": message}


def is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


class Right(AsyncJsonWebsocketConsumer):
    """A right answer written differently from the notebook's: the baseline below."""

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            content = await self.decode_json(text_data or "")
        except ValueError:
            await self.send_json(self.error("that is not JSON"))
            return
        await self.receive_json(content)

    def error(self, message):
        return error(message)

    def answer(self, content):
        if not isinstance(content, dict):
            return self.error("send an object")
        command = content.get("command")
        if command == "ping":
            return {"type": "pong"}
        if command == "add":
            a, b = content.get("a"), content.get("b")
            if is_number(a) and is_number(b):
                return {"type": "result", "value": a + b}
            return self.error("add needs two numbers")
        if command == "echo" and isinstance(content.get("text"), str):
            return {"type": "echo", "text": content["text"]}
        return self.error(f"cannot run {command!r}")

    async def receive_json(self, content, **kwargs):
        await self.send_json(self.answer(content))


def test_the_baseline_right_answer_passes():
    assert graded(Right).score.full, messages(graded(Right))


HANDLERS = {"ping": lambda content: {"type": "pong"}}


class CrashesOnUnknownCommand(Right):
    def answer(self, content):
        if isinstance(content, dict) and content.get("command") not in ("add", "echo"):
            return HANDLERS[content.get("command")](content)  # KeyError on "fly"
        return super().answer(content)


class ClosesOnBadJson(Right):
    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.close(code=4000)
            return
        await self.receive_json(content)


class KeepsTheInheritedReceive(Right):
    receive = AsyncJsonWebsocketConsumer.receive


class ErrorUnderMessageKey(Right):
    def error(self, message):
        return {"type": "error", "message": message}


class AddsStrings(Right):
    def answer(self, content):
        if isinstance(content, dict) and content.get("command") == "add":
            return {"type": "result", "value": content.get("a") + content.get("b")}
        return super().answer(content)


class ClosesAfterAnError(Right):
    async def receive_json(self, content, **kwargs):
        reply = self.answer(content)
        await self.send_json(reply, close=reply["type"] == "error")


class AnswersInPlainText(Right):
    async def receive_json(self, content, **kwargs):
        await self.send(text_data=str(self.answer(content).get("type")))


class SilentOnErrors(Right):
    async def receive_json(self, content, **kwargs):
        reply = self.answer(content)
        if reply["type"] != "error":
            await self.send_json(reply)


class SyncCommandConsumer(JsonWebsocketConsumer):
    def receive_json(self, content, **kwargs):
        self.send_json({"type": "pong"})


ERROR_CHECKS = CHECKS[3:]
COMMAND_ERRORS = CHECKS[3:6]  # malformed JSON never reaches receive_json


@pytest.mark.parametrize(
    ("answer", "failing", "fragment"),
    [
        (CrashesOnUnknownCommand, ["unknown_command_is_an_error"], "raised KeyError"),
        (ClosesOnBadJson, ["malformed_json_is_an_error"], "closed the connection (code 4000)"),
        (KeepsTheInheritedReceive, ["malformed_json_is_an_error"], "override receive()"),
        (ErrorUnderMessageKey, ERROR_CHECKS, 'in its "error" key'),
        (AddsStrings, ["bad_fields_are_errors"], "add took two strings"),
        (ClosesAfterAnError, COMMAND_ERRORS, "keep the connection open"),
        (AnswersInPlainText, CHECKS, "which is not JSON"),
        (SilentOnErrors, COMMAND_ERRORS, "sent no reply"),
        (SyncCommandConsumer, CHECKS, "subclasses AsyncJsonWebsocketConsumer"),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_a_wrong_answer_fails_the_right_checks_and_says_why(answer, failing, fragment):
    report = graded(answer)

    wrong = [r for r in report.results if not r.passed]
    assert [r.check for r in wrong] == failing, messages(report)
    assert all(r.status == "failed" for r in wrong), messages(report)
    assert all(fragment in r.message for r in wrong), messages(report)


def test_a_crash_names_the_frame_and_what_to_do():
    report = graded(CrashesOnUnknownCommand)

    message = message_of(report, "unknown_command_is_an_error")
    assert message.startswith("CommandConsumer raised KeyError: 'fly' on the frame")
    assert '{"command": "fly"}' in message
    assert "content.get(...)" in message


def test_the_inherited_receive_is_told_about_json_decode_error():
    report = graded(KeepsTheInheritedReceive)

    message = message_of(report, "malformed_json_is_an_error")
    assert "JSONDecodeError" in message
    assert "catch ValueError" in message
    assert repr(report.score) == "6/7 points"


def test_closing_after_an_error_says_after_which_frame():
    report = graded(ClosesAfterAnError)

    message = message_of(report, "unknown_command_is_an_error")
    assert message.startswith(
        'CommandConsumer closed the connection (code 1000) after answering {"command": "fly"}'
    )


def test_adding_strings_shows_the_reply_it_got():
    report = graded(AddsStrings)

    assert status_of(report, "add_adds") == "passed"
    assert "{'type': 'result', 'value': '12'}" in message_of(report, "bad_fields_are_errors")


def test_a_missing_consumer_says_to_run_its_cell():
    report = grade("json-commands", {}, timeout=TIMEOUT)

    assert {r.status for r in report.results} == {"failed"}
    assert "`CommandConsumer` is not defined" in report.results[0].message
