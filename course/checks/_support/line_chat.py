"""What checks of chat consumers share: lesson 11's "chat" scope, and a Session that
drives a consumer the way lesson 11's line server does.

A Session uses asgiref's ApplicationCommunicator (Channels' subclass only adds a patch for
database connections, and costs a second to import). Every wait has a short limit, and a
consumer that dies is noticed at once and explained: "no handler for ...", or where it crashed.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from asgiref.testing import ApplicationCommunicator

from course.checking.model import Fail, expect
from course.checking.runner import where_in_student_code

WAIT = 0.5  # seconds a bot gets to answer one line
QUIET = 0.05  # seconds a bot is watched after chat.connect, which it must not answer
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
        app = bot.as_asgi()
        self.communicator = ApplicationCommunicator(app, chat_scope(user))  # type: ignore[no-untyped-call]

    async def open(self) -> Session:
        """Send chat.connect; Fail if the Bot dies on it or answers it."""
        await self._event({"type": "chat.connect"}, "chat.connect")
        early = await self._next(QUIET, "chat.connect")
        expect(
            early is None,
            f"your Bot sent {early!r} on chat.connect, before any line: say nothing there; "
            "answer each line with exactly one chat.send_message.",
        )
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
        """The Bot's next message; a Fail when it died, or sent nothing within WAIT seconds."""
        message = await self._next(WAIT, where)
        if message is None:
            raise Fail(
                f"your Bot sent nothing back for {where} within {WAIT:g} s: answer every "
                f"chat.receive_message with one {SEND}."
            )
        return message

    async def _next(self, seconds: float, where: str) -> Any:
        """The Bot's next message, or None after ``seconds``; a Fail as soon as it dies."""
        app = self.communicator.future
        output = asyncio.ensure_future(self.communicator.output_queue.get())
        await asyncio.wait([output, app], timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        if output.done():
            return output.result()
        output.cancel()
        if not app.done():
            return None
        _reraise(app, where)
        raise Fail(
            f"your Bot stopped (its consumer returned) on {where}: only chat.disconnect "
            "ends a connection."
        )

    async def close(self) -> None:
        """Send chat.disconnect and wait for the Bot to stop; Fail if it does not."""
        await self._event({"type": "chat.disconnect"}, "chat.disconnect")
        # Not communicator.wait(): it swallows its own timeout and returns as if all went well.
        app = self.communicator.future
        await asyncio.wait([app], timeout=WAIT)
        if not app.done():
            raise Fail(
                f"your Bot was still running {WAIT:g} s after chat.disconnect: the client has "
                "gone, so its handler ends the consumer with `raise StopConsumer()` "
                "(from channels.exceptions)."
            )
        _reraise(app, "chat.disconnect")

    def stop(self) -> None:
        self.communicator.stop(exceptions=False)  # type: ignore[no-untyped-call]

    async def _event(self, event: dict[str, Any], where: str) -> None:
        app = self.communicator.future
        if app.done():  # the Bot died on an earlier event
            _reraise(app, where)
        await self.communicator.send_input(event)  # type: ignore[no-untyped-call]


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
        f"your Bot crashed on {where}: {type(error).__name__}: {text}"
        f"{where_in_student_code(error)}. An exception in a handler ends the whole connection."
    ) from error
