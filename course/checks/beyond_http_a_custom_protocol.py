"""Lesson 11's exercise: a chat bot with commands, for the custom "chat" scope type.

Each check plays lesson 11's line server (course/checks/_support/line_chat.py): a hand-made "chat"
scope, chat.connect, one chat.receive_message a line, chat.disconnect. Everything bound
to an event loop is made inside the check, on the check's own loop.
"""

from __future__ import annotations

import re
from typing import Any

from course.checking.model import Exercise, expect
from course.checks._support.line_chat import Session

LESSON = "11-beyond-http-a-custom-protocol"

commands = Exercise("bot-commands", LESSON)
EXERCISES = [commands]


async def _session(bot: Any, user: str = "ada") -> Session:
    return await Session(bot, user).open()


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


@commands.check("echoes plain text as `<name>: <text>` in a chat.send_message")
async def echoes_plain_text(Bot: Any) -> None:
    session = await _session(Bot, "ada")
    try:
        answer = await session.say("hello there")
        expect(
            answer == "ada: hello there",
            f"to 'hello there' from ada your Bot answered {answer!r}; expected "
            "'ada: hello there' (the name from self.scope['user'], a colon, the text).",
        )
    finally:
        session.stop()


@commands.check("/help lists /help, /count and /name")
async def answers_help(Bot: Any) -> None:
    session = await _session(Bot)
    try:
        answer = await session.say("/help")
        missing = [c for c in ("/help", "/count", "/name") if c not in answer]
        expect(
            not missing,
            f"to /help your Bot answered {answer!r}, which does not mention "
            f"{', '.join(missing)}: list every command in one line.",
        )
    finally:
        session.stop()


@commands.check("/count says how many lines this connection sent, the /count included")
async def counts_this_connection(Bot: Any) -> None:
    session = await _session(Bot)
    try:
        for line in ("hi", "/help", "there"):
            await session.say(line)
        answer = await session.say("/count")
        numbers = _numbers(answer)
        hint = ""
        if numbers == [3]:
            hint = " Off by one: count the /count line too, before you answer."
        elif numbers and numbers[0] > 4:
            hint = (
                " That is more than this connection sent: is the count kept on the class "
                "(shared by every connection) instead of on self?"
            )
        expect(
            numbers == [4],
            f"after 'hi', '/help', 'there', then '/count', your Bot answered {answer!r}; "
            f"expected the number 4 (every line counts, commands too).{hint}",
        )
    finally:
        session.stop()


@commands.check("/name NEW renames the user for the echoes that follow")
async def renames(Bot: Any) -> None:
    session = await _session(Bot, "ada")
    try:
        answer = await session.say("/name grace")
        expect(
            "grace" in answer,
            f"to '/name grace' your Bot answered {answer!r}: say the new name, "
            "e.g. 'you are now grace'.",
        )
        echo = await session.say("hi")
        expect(
            echo == "grace: hi",
            f"after '/name grace', your Bot echoed 'hi' as {echo!r}; expected 'grace: hi': "
            "keep the name on self and change it there.",
        )
    finally:
        session.stop()


@commands.check("each connection has its own name and count")
async def state_per_connection(Bot: Any) -> None:
    ada, bob = await _session(Bot, "ada"), await _session(Bot, "bob")
    try:
        await ada.say("/name zed")
        await ada.say("one")
        echo = await bob.say("hi")
        expect(
            echo == "bob: hi",
            f"ada renamed herself zed on her connection, then bob's bot echoed 'hi' as "
            f"{echo!r}; expected 'bob: hi'. State kept outside the instance (on the class, in "
            "a dict or list of the class body, in a module's variable) is shared by every "
            "connection: set it on self.",
        )
        ada_count, bob_count = await ada.say("/count"), await bob.say("/count")
        counts = _numbers(ada_count), _numbers(bob_count)
        why = (
            "off by one: count the /count line too."
            if counts == ([2], [1])
            else "each connection counts only its own lines, so keep the count on self, "
            "set in chat_connect."
        )
        expect(
            counts == ([3], [2]),
            f"with two connections open, ada (3 lines) was told {ada_count!r} and bob "
            f"(2 lines) {bob_count!r}: {why}",
        )
        await same_user_again(Bot, ada)
    finally:
        ada.stop()
        bob.stop()


async def same_user_again(Bot: Any, first: Session) -> None:
    """A second connection of ada's, opened once her first (renamed zed) has sent 3 lines:
    it starts from her name and 0, whatever the first one did; and the first goes on."""
    second = await _session(Bot, "ada")
    try:
        echo, count = await second.say("hi"), await second.say("/count")
        again = await first.say("/count")
        per_user = (
            " Is it kept per user (a dict keyed by scope['user'])? A user may connect twice: "
            "keep it on self, set in chat_connect."
        )
        expect(
            echo == "ada: hi",
            f"ada opened a second connection while her first, renamed zed, was still open; "
            f"the second echoed 'hi' as {echo!r}, not 'ada: hi': each connection starts from "
            f"scope['user'] and keeps its own name.{per_user}",
        )
        expect(
            (_numbers(count), _numbers(again)) == ([2], [4]),
            f"ada's second connection (2 lines) was told {count!r}, then her first (4 lines) "
            f"{again!r}: each connection counts its own lines, not per user.{per_user}",
        )
    finally:
        second.stop()


@commands.check("an unknown /command gets an error line, and the bot goes on")
async def unknown_command(Bot: Any) -> None:
    session = await _session(Bot, "ada")
    try:
        answer = await session.say("/dance")
        expect(
            answer.lower().startswith("error") and "/dance" in answer,
            f"to '/dance' your Bot answered {answer!r}: start the line with 'error' and name "
            "the command, e.g. 'error: unknown command /dance (try /help)'.",
        )
        after = await session.say("still here")
        expect(
            after == "ada: still here",
            f"after the error, your Bot echoed 'still here' as {after!r}; expected "
            "'ada: still here'.",
        )
    finally:
        session.stop()


@commands.check("stops cleanly on chat.disconnect")
async def stops_on_disconnect(Bot: Any) -> None:
    session = await _session(Bot)
    try:
        await session.say("bye")
        await session.close()
    finally:
        session.stop()
