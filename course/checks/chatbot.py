"""Lesson 10's exercise: a chat bot with commands, for the custom "chat" scope type.

Each check plays the line server of lesson 10 with Channels' ApplicationCommunicator:
a hand-made "chat" scope, chat.connect, one chat.receive_message a line, chat.disconnect.
Everything bound to an event loop is made inside the check, on the check's own loop.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from channels.testing import ApplicationCommunicator

from course.grading.model import Exercise, Fail, expect
from course.grading.runner import _where

LESSON = "10-beyond-http-a-custom-protocol"
WAIT = 0.5  # seconds a bot gets to answer one line

commands = Exercise("bot-commands", LESSON)
EXERCISES = [commands]

SEND = "await self.send({'type': 'chat.send_message', 'text': ...})"


def chat_scope(user: str) -> dict[str, Any]:
    """The scope the line server builds for a client that said its name was ``user``."""
    return {
        "type": "chat",
        "asgi": {"version": "3.0", "spec_version": "1.0"},
        "user": user,
        "room": None,
        "client": ["127.0.0.1", 50000],
        "server": ["127.0.0.1", 7000],
    }


def _handler_name(event_type: str) -> str:
    return event_type.replace(".", "_")


class Session:
    """One connection to the student's Bot, as the line server would drive it."""

    def __init__(self, bot: Any, user: str) -> None:
        expect(
            hasattr(bot, "as_asgi"),
            f"Bot is {bot!r}, not a consumer class: write `class Bot(AsyncConsumer):`.",
        )
        self.user = user
        self.communicator = ApplicationCommunicator(bot.as_asgi(), chat_scope(user))

    async def open(self) -> Session:
        await self._event({"type": "chat.connect"}, "chat.connect")
        return self

    async def say(self, text: str) -> str:
        """Send one line; return the text of the one chat.send_message that answers it."""
        where = f"the line {text!r}"
        await self._event({"type": "chat.receive_message", "text": text}, where)
        message = await self._answer(where)
        kind = message.get("type") if isinstance(message, dict) else None
        expect(
            kind == "chat.send_message",
            f"for {where} your Bot sent {message!r}: the line server writes back only "
            f"chat.send_message events, so send {SEND}.",
        )
        answer = message.get("text")
        expect(
            isinstance(answer, str),
            f"for {where} your Bot sent a chat.send_message whose 'text' is {answer!r}: "
            "it must be a str, the line to write back.",
        )
        return str(answer)

    async def _answer(self, where: str) -> Any:
        """The Bot's next message, or a Fail as soon as it dies or after WAIT seconds."""
        app = self.communicator.future
        output = asyncio.ensure_future(self.communicator.output_queue.get())
        await asyncio.wait([output, app], timeout=WAIT, return_when=asyncio.FIRST_COMPLETED)
        if output.done():
            return output.result()
        output.cancel()
        if not app.done():
            raise Fail(
                f"your Bot sent nothing back for {where} within {WAIT:g} s: answer every "
                f"chat.receive_message with one {SEND}."
            )
        _reraise(app, where)
        raise Fail(
            f"your Bot stopped (its consumer returned) on {where} without an answer: only "
            "chat.disconnect ends a connection."
        )

    async def close(self) -> None:
        """Send chat.disconnect and wait for the Bot to stop; Fail if it does not."""
        await self._event({"type": "chat.disconnect"}, "chat.disconnect")
        try:
            await self.communicator.wait(WAIT)
        except TimeoutError:
            raise Fail(
                f"your Bot was still running {WAIT:g} s after chat.disconnect: the client has "
                "gone, so its handler ends the consumer with `raise StopConsumer()` "
                "(from channels.exceptions)."
            ) from None
        except Exception:
            _reraise(self.communicator.future, "chat.disconnect")
            raise

    def stop(self) -> None:
        self.communicator.stop(exceptions=False)

    async def _event(self, event: dict[str, Any], where: str) -> None:
        app = self.communicator.future
        if app.done():  # the Bot died on an earlier event
            _reraise(app, where)
        await self.communicator.send_input(event)


def _reraise(app: asyncio.Future[Any], where: str) -> None:
    """If the Bot's task raised, raise a Fail that says how it died (a stub's
    NotImplementedError as it is: the runner reports it as not written yet)."""
    if app.cancelled() or app.exception() is None:
        return
    error = app.exception()
    assert error is not None
    if isinstance(error, NotImplementedError):
        raise error
    text = str(error)
    missing = re.fullmatch(r"No handler for message type (\S+)", text)
    if isinstance(error, ValueError) and missing:
        kind = missing.group(1)
        raise Fail(
            f"your Bot has no handler for {kind} events, so Channels' dispatch raised "
            f'"{text}" and the bot died: add `async def {_handler_name(kind)}(self, event):` '
            "(the type with its dots turned into underscores)."
        ) from error
    raise Fail(
        f"your Bot crashed on {where}: {type(error).__name__}: {text}{_where(error)}. "
        "An exception in a handler ends the whole connection."
    ) from error


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
            f"{echo!r}; expected 'bob: hi'. State kept on the class (or in a dict or list "
            "defined in the class body) is shared by every connection: set it on self.",
        )
        ada_count, bob_count = await ada.say("/count"), await bob.say("/count")
        expect(
            _numbers(ada_count) == [3] and _numbers(bob_count) == [2],
            f"with two connections open, ada (3 lines) was told {ada_count!r} and bob "
            f"(2 lines) {bob_count!r}: each connection counts only its own lines, so keep "
            "the count on self, set in chat_connect.",
        )
    finally:
        ada.stop()
        bob.stop()


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
