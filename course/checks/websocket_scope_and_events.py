"""Lesson 03's exercise: a raw WebSocket app that speaks one subprotocol and shouts back."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from course.checking.model import Exercise, Fail, expect
from course.checks._support.websocket import Conversation, Frame, converse
from course.types import Message

LESSON = "03-websocket-scope-and-events"
SUBPROTOCOL = "shout.v1"
NAME = "upper_echo"

upper = Exercise("upper-echo", LESSON)
EXERCISES = [upper]


def _is_async_app(upper_echo: Any) -> None:
    is_async = inspect.iscoroutinefunction(upper_echo) or inspect.iscoroutinefunction(
        type(upper_echo).__call__
    )
    expect(callable(upper_echo), f"{NAME} is {upper_echo!r}: write `async def {NAME}(...)`.")
    expect(is_async, f"{NAME} is not async: write `async def {NAME}(scope, receive, send):`.")


EMPTY = (
    "the empty text frame '' went down {name}'s bytes branch{what}: `if message.get('text'):` "
    "is False for ''. Test message.get('text') is not None, and answer '' with ''."
)


def _judge(message: Message, talk: Conversation) -> str | None:
    """This exercise's rules, said before the strict server's general ones."""
    kind, offered = message.get("type"), talk.offered
    last = talk.delivered[-1] if talk.delivered else None
    if kind == "websocket.accept" and SUBPROTOCOL not in offered:
        return (
            f"the client offered {offered}, not shout.v1, and {NAME} accepted it: when "
            "'shout.v1' is not in scope['subprotocols'], refuse: send websocket.close "
            "before any websocket.accept."
        )
    chosen = message.get("subprotocol")
    if kind == "websocket.accept" and chosen is not None and not isinstance(chosen, str):
        return (
            f"{NAME} accepted with subprotocol={chosen!r}: the subprotocol is one str, the one "
            "you speak, 'subprotocol': 'shout.v1' (scope['subprotocols'] is the client's list)."
        )
    if kind == "websocket.close" and talk.accepted is not None:
        code = message.get("code") or 1000
        return (
            f"{NAME} closed the connection (code {code}) after the client sent {last!r}: once "
            "accepted, it never closes: text comes back upper-cased, and bytes come back "
            "unchanged, {'type': 'websocket.send', 'bytes': message['bytes']}."
        )
    if kind == "websocket.send" and last == "" and message.get("text") != "":
        return EMPTY.format(name=NAME, what=f" and came back as {message!r}")
    return None


async def _talk(upper_echo: Any, offer: list[str], frames: Sequence[Frame] = ()) -> Conversation:
    _is_async_app(upper_echo)
    try:
        return await converse(upper_echo, offer=offer, frames=frames, name=NAME, judge=_judge)
    except KeyError as error:
        if error.args == ("bytes",) and "" in frames:
            raise Fail(EMPTY.format(name=NAME, what=f", which raised KeyError: {error}")) from error
        if error.args in (("text",), ("bytes",)):
            raise Fail(
                f"{NAME} raised KeyError: {error}. A websocket.receive message carries either "
                "'text' or 'bytes', not both (daphne leaves the other key out): test "
                "message.get('text') is not None before reading message['text']."
            ) from error
        raise


def _what_happened(talk: Conversation) -> str:
    if talk.accepted is not None:
        return f"accepted it ({dict(talk.accepted)!r})"
    if talk.closed is not None:
        return "refused it (websocket.close before websocket.accept)"
    if talk.stuck:
        return "never answered websocket.connect (no websocket.accept, no websocket.close)"
    return "returned without answering websocket.connect"


def _shouted(talk: Conversation, frames: list[Frame], what: str) -> None:
    """Compare the replies with what upper_echo should have answered to ``frames``."""
    expected = [f.upper() if isinstance(f, str) else f for f in frames]
    replies = talk.replies
    sent = f"to {what} {frames!r} {NAME} replied {replies!r}"
    expect(talk.accepted is not None, f"{NAME} {_what_happened(talk)} when offered shout.v1.")
    expect(
        len(replies) == len(frames),
        f"{sent}: answer each message with exactly one websocket.send.",
    )
    for frame, reply, want in zip(frames, replies, expected, strict=True):
        if isinstance(frame, str):
            expect(
                isinstance(reply, str),
                f"{sent}: answer text with text, {{'type': 'websocket.send', 'text': ...}}.",
            )
            expect(
                reply != frame or frame == frame.upper(),
                f"{sent}: the text came back unchanged; send text.upper().",
            )
        else:
            expect(
                isinstance(reply, bytes),
                f"{sent}: answer bytes with bytes, {{'type': 'websocket.send', 'bytes': ...}}.",
            )
            expect(
                reply != frame.upper() or frame == frame.upper(),
                f"{sent}: bytes must come back unchanged, not upper-cased.",
            )
        expect(reply == want, f"{sent}; expected {expected!r}.")


@upper.check("accepts a client that offers shout.v1, with subprotocol shout.v1")
async def accepts_shout(upper_echo: Any) -> None:
    for offer in ([SUBPROTOCOL], ["chat.v2", SUBPROTOCOL]):
        talk = await _talk(upper_echo, offer)
        expect(
            talk.accepted is not None,
            f"the client offered {offer} and {NAME} {_what_happened(talk)}: "
            "accept when 'shout.v1' is in scope['subprotocols'].",
        )
        chosen = (talk.accepted or {}).get("subprotocol")
        expect(
            chosen == SUBPROTOCOL,
            f"the client offered {offer} and {NAME} accepted with subprotocol={chosen!r}: "
            "say which one you speak, {'type': 'websocket.accept', 'subprotocol': 'shout.v1'} "
            "(a client then reads it as ws.subprotocol).",
        )


@upper.check("refuses a client that does not offer shout.v1 (close before accept: HTTP 403)")
async def refuses_others(upper_echo: Any) -> None:
    for offer in ([], ["chat.v2", "shout.v2"]):
        talk = await _talk(upper_echo, offer)
        expect(
            talk.accepted is None,
            f"the client offered {offer}, not shout.v1, and {NAME} accepted it: when "
            "'shout.v1' is not in scope['subprotocols'], refuse: send websocket.close "
            "before any websocket.accept.",
        )
        expect(
            talk.closed is not None,
            f"the client offered {offer} and {NAME} {_what_happened(talk)}: "
            "refuse it with {'type': 'websocket.close'}.",
        )


@upper.check("echoes each text message in upper case (the empty one too)")
async def shouts_text(upper_echo: Any) -> None:
    frames: list[Frame] = ["hello", "", "Mixed case, 42!"]
    talk = await _talk(upper_echo, [SUBPROTOCOL], frames)
    _shouted(talk, frames, "the text messages")


@upper.check("echoes bytes back unchanged")
async def echoes_bytes(upper_echo: Any) -> None:
    frames: list[Frame] = [b"\x00\x01 raw", b"abc"]
    talk = await _talk(upper_echo, [SUBPROTOCOL], frames)
    _shouted(talk, frames, "the bytes messages")


@upper.check(
    "text and bytes mixed; returns on websocket.disconnect",
    on_timeout=f"{NAME} did not return: when receive() gives you websocket.disconnect, return.",
)
async def returns_on_disconnect(upper_echo: Any) -> None:
    frames: list[Frame] = ["one", b"two", "three"]
    talk = await _talk(upper_echo, [SUBPROTOCOL], frames)
    _shouted(talk, frames, "the messages")
    expect(
        talk.returned,
        f"{NAME} was still running after websocket.disconnect (the client left), so it was "
        "cancelled: when receive() gives you websocket.disconnect, return (daphne waits "
        "10 s, then kills the app).",
    )
    refused = await _talk(upper_echo, [])
    expect(
        refused.returned,
        f"{NAME} refused a client but did not return, so it was cancelled: after "
        "websocket.close, return (or return when receive() gives you websocket.disconnect).",
    )
