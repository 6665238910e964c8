"""Lesson 11's checks on wrong Bots: each one fails, and is told why.

The solution's full marks and the released stub's zero are tested in test_both_ways.py.
"""

from typing import ClassVar

import pytest
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

from course.checks import grade
from course.checks.beyond_http_a_custom_protocol import commands
from tests.checks import wrong
from tests.checks.helpers import (
    failing,
    message_of,
    messages,
    status_of,
)
from tests.checks.wrong import WrongAnswer

# Every consumer closes stale database connections in a worker thread before each handler
# (channels' own communicator patches that out; the checks use asgiref's). Under
# pytest-django that counts as database access, refused once a test has opened a connection.
pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 2.0
CHECKS = [check.name for check in commands]


# ---- what students write: graded in a kernel through check() and in batch (wrong.py) -------

CELL = """
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

HELP = "commands: /help, /count, /name NEW; anything else I echo"
{before}

class Bot(AsyncConsumer):
    async def chat_connect(self, event):
{connect}
    async def chat_receive_message(self, event):
{receive}
    async def chat_disconnect(self, event):
{disconnect}"""
CONNECT = """
        self.name = self.scope["user"]
        self.count = 0
"""
RECEIVE = """
        self.count += 1
        command, _, rest = event["text"].strip().partition(" ")
        if command == "/help":
            reply = HELP
        elif command == "/count":
            reply = f"{self.name}, you sent {self.count} messages"
        elif command == "/name":
            self.name = rest.strip()
            reply = f"you are now {self.name}"
        elif command.startswith("/"):
            reply = f"error: unknown command {command} (try /help)"
        else:
            reply = f"{self.name}: {event['text']}"
        await self.send({"type": "chat.send_message", "text": reply})
"""
DISCONNECT = """
        raise StopConsumer()
"""


def bot(name, says, before="", connect=CONNECT, receive=RECEIVE, disconnect=DISCONNECT):
    """A WrongAnswer: the exercise's cell with the handlers the student writes as given."""
    source = CELL.format(before=before, connect=connect, receive=receive, disconnect=disconnect)
    return WrongAnswer("bot-commands", name, source, "Bot", says)


WRONG_ANSWERS = [
    bot(
        "count-per-user",
        "not per user",
        before="from collections import Counter\n\nsent = Counter()  # lines sent, per user\n",
        connect="""
        self.name = self.scope["user"]
        sent[self.scope["user"]] = 0
""",
        receive=RECEIVE.replace("self.count += 1", 'sent[self.scope["user"]] += 1').replace(
            "{self.count}", "{sent[self.scope['user']]}"
        ),
    ),
    bot(
        "module-level-state",
        "shared by every connection",
        before="name, count = None, 0  # this connection's name and count\n",
        connect="""
        global name, count
        name, count = self.scope["user"], 0
""",
        receive="""
        global name, count
        count += 1
        command, _, rest = event["text"].strip().partition(" ")
        if command == "/help":
            reply = HELP
        elif command == "/count":
            reply = f"{name}, you sent {count} messages"
        elif command == "/name":
            name = rest.strip()
            reply = f"you are now {name}"
        elif command.startswith("/"):
            reply = f"error: unknown command {command} (try /help)"
        else:
            reply = f"{name}: {event['text']}"
        await self.send({"type": "chat.send_message", "text": reply})
""",
    ),
    bot(
        "count-after-answering",
        "Off by one",
        receive=RECEIVE.replace("        self.count += 1\n", "") + "        self.count += 1\n",
    ),
    bot(
        "never-stops",
        "StopConsumer",
        disconnect="""
        print("bye", self.name)
""",
    ),
    bot(
        "unknown-command-echoed",
        "start the line with 'error'",
        receive=RECEIVE.replace('elif command.startswith("/"):', 'elif command == "/unknown":'),
    ),
    bot(
        "name-read-from-the-scope",
        "keep the name on self",
        receive=RECEIVE.replace("{self.name}: {event", "{self.scope['user']}: {event"),
    ),
    bot(
        "greets-on-connect",
        "say nothing there",
        connect=CONNECT
        + """        await self.send({"type": "chat.send_message", "text": f"welcome {self.name}"})
""",
    ),
]
test_wrong_answers_lose_points_in_a_kernel, test_wrong_answers_lose_points_in_batch = (
    wrong.tests_for(WRONG_ANSWERS)
)


# ---- wrong answers: one mistake each, on top of a right bot -------------------------------


class Right(AsyncConsumer):
    """A right answer, built so that each wrong answer below overrides one part."""

    kind = "chat.send_message"

    async def chat_connect(self, event):
        self.name, self.count = self.scope["user"], 0

    def counted(self):
        self.count += 1
        return self.count

    def command(self, command, rest):
        if command == "/help":
            return "/help, /count, /name NEW"
        if command == "/count":
            return f"{self.count} messages"
        if command == "/name":
            self.name = rest
            return f"you are now {rest}"
        return f"error: unknown command {command}"

    async def chat_receive_message(self, event):
        self.counted()
        text = event["text"]
        command, _, rest = text.partition(" ")
        reply = self.command(command, rest) if text.startswith("/") else f"{self.name}: {text}"
        await self.send({"type": self.kind, "text": reply})

    async def chat_disconnect(self, event):
        raise StopConsumer()


class SharedState(Right):
    """State in a dict defined in the class body: one dict for every connection."""

    state = {"name": None, "count": 0}  # noqa: RUF012 (the mistake on show)

    async def chat_connect(self, event):
        self.state["name"], self.state["count"] = self.scope["user"], 0

    name = property(lambda self: self.state["name"], lambda self, v: self.state.update(name=v))
    count = property(lambda self: self.state["count"], lambda self, v: self.state.update(count=v))


class CountsPerUser(Right):
    """Keeps each user's count in a dict on the class, reset when that user connects."""

    counts: ClassVar[dict] = {}

    async def chat_connect(self, event):
        await super().chat_connect(event)
        self.counts[self.scope["user"]] = 0

    def counted(self):
        self.counts[self.scope["user"]] += 1

    def command(self, command, rest):
        if command == "/count":
            return f"{self.counts[self.scope['user']]} messages"
        return super().command(command, rest)


class CountsOnTheClass(Right):
    """The count on the class (Bot.count += 1), never reset: it grows across connections."""

    total = 0

    def counted(self):
        type(self).total += 1

    def command(self, command, rest):
        if command == "/count":
            return f"{type(self).total} messages"
        return super().command(command, rest)


class OffByOne(Right):
    """Counts the line after answering it: /count leaves itself out."""

    async def chat_receive_message(self, event):
        text = event["text"]
        command, _, rest = text.partition(" ")
        reply = self.command(command, rest) if text.startswith("/") else f"{self.name}: {text}"
        await self.send({"type": self.kind, "text": reply})
        self.counted()


class CrashesOnUnknown(Right):
    """Looks commands up in a dict: an unknown one is a KeyError, and the bot dies."""

    def command(self, command, rest):
        known = {"/help": "/help", "/count": "/count", "/name": "/name"}
        return super().command(known[command], rest)


class WrongEventType(Right):
    """Answers with the web chat's event type instead of the line server's."""

    kind = "chat.message"


class NeverStops(Right):
    """Handles chat.disconnect but does not raise StopConsumer: the consumer runs on."""

    async def chat_disconnect(self, event):
        pass


class NoConnectHandler(Right):
    """Sets its state in the first line's handler and has no chat_connect at all."""

    chat_connect = None

    async def chat_receive_message(self, event):
        if not hasattr(self, "count"):
            await Right.chat_connect(self, event)
        await super().chat_receive_message(event)


class Welcomes(Right):
    """Says hello on chat.connect: every answer after that is one line late."""

    async def chat_connect(self, event):
        await super().chat_connect(event)
        await self.send({"type": self.kind, "text": f"welcome {self.name}"})


def test_the_right_bot_of_this_file_passes():
    """The baseline for the mistakes below: with none of them, full marks."""
    report = grade("bot-commands", {"Bot": Right}, timeout=TIMEOUT)

    assert report.score.full, messages(report)


@pytest.mark.parametrize(
    ("bot", "failed", "fragment"),
    [
        (SharedState, ["state_per_connection"], "shared by every connection"),
        (CountsPerUser, ["state_per_connection"], "not per user"),
        (CountsOnTheClass, ["counts_this_connection", "state_per_connection"], "on the class"),
        (OffByOne, ["counts_this_connection", "state_per_connection"], "4"),
        (CrashesOnUnknown, ["unknown_command"], "crashed on the line '/dance': KeyError"),
        (WrongEventType, CHECKS, "writes back only chat.send_message"),
        (NeverStops, ["stops_on_disconnect"], "raise StopConsumer()"),
        (NoConnectHandler, CHECKS, "no handler for chat.connect events"),
        (Welcomes, CHECKS, "sent {'type': 'chat.send_message', 'text': 'welcome ada'} on chat"),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_a_wrong_bot_is_told_why(bot, failed, fragment):
    report = grade("bot-commands", {"Bot": bot}, timeout=TIMEOUT)

    assert list(failing(report)) == failed, messages(report)
    wrong = [r for r in report.results if not r.passed]
    assert all(r.status == "failed" for r in wrong), messages(report)
    assert fragment in wrong[0].message, messages(report)


def test_the_off_by_one_count_is_named_as_such():
    report = grade("bot-commands", {"Bot": OffByOne}, timeout=TIMEOUT)

    message = message_of(report, "counts_this_connection")
    assert "answered '3 messages'" in message
    assert "Off by one: count the /count line too" in message
    assert message_of(report, "state_per_connection").endswith(
        "off by one: count the /count line too."
    )


def test_a_count_shared_by_connections_is_blamed_on_the_class():
    report = grade("bot-commands", {"Bot": CountsOnTheClass}, timeout=TIMEOUT)

    assert "kept on the class (shared by every connection)" in message_of(
        report, "counts_this_connection"
    )
    assert "each connection counts only its own lines" in message_of(report, "state_per_connection")


def test_a_crash_says_where_in_the_students_code():
    report = grade("bot-commands", {"Bot": CrashesOnUnknown}, timeout=TIMEOUT)

    message = message_of(report, "unknown_command")
    assert "(in command, line" in message
    assert "An exception in a handler ends the whole connection" in message


def test_a_bot_that_never_answers_fails_fast_with_what_to_send():
    class Silent(Right):
        async def chat_receive_message(self, event):
            self.counted()

    report = grade("bot-commands", {"Bot": Silent}, timeout=TIMEOUT)

    assert report.score.points == 0
    assert status_of(report, "echoes_plain_text") == "failed"
    assert "sent nothing back for the line 'hello there'" in report.results[0].message
    assert "chat.send_message" in report.results[0].message


def test_a_bot_that_is_not_a_consumer_class_is_told_so():
    async def Bot(scope, receive, send):  # a raw ASGI app, not a consumer
        return None

    report = grade("bot-commands", {"Bot": Bot}, timeout=TIMEOUT)

    assert report.score.points == 0
    assert "not a consumer class" in report.results[0].message


def test_a_missing_bot_says_to_run_its_cell():
    report = grade("bot-commands", {}, timeout=TIMEOUT)

    assert {r.status for r in report.results} == {"failed"}
    assert "`Bot` is not defined" in report.results[0].message
