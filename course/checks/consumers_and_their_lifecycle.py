"""Lesson 04's exercise: a JSON command consumer that answers every frame and never dies.

Each check talks to ``CommandConsumer.as_asgi()`` through a ``WebsocketCommunicator`` it
creates itself, on the check's own event loop, and reads every reply as JSON.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Sequence
from typing import Any

from course.checking.model import Exercise, Fail, expect

LESSON = "04-consumers-and-their-lifecycle"

commands = Exercise("json-commands", LESSON)
EXERCISES = [commands]

WAIT = 0.5  # seconds to wait for one reply: an in-process answer takes a few milliseconds
PING = json.dumps({"command": "ping"})
Frame = str | bytes  # a text frame, or a binary one
ERROR_SHAPE = '{"type": "error", "error": "what was wrong"}'


async def _talk(consumer: Any, frames: Sequence[Frame]) -> list[Any]:
    """Connect to ``consumer``, send each frame (text, or bytes as a binary frame), and return
    each decoded JSON reply."""
    from channels.generic.websocket import AsyncJsonWebsocketConsumer
    from channels.testing import WebsocketCommunicator

    expect(
        inspect.isclass(consumer) and issubclass(consumer, AsyncJsonWebsocketConsumer),
        f"CommandConsumer is {consumer!r}: make it a class that subclasses "
        "AsyncJsonWebsocketConsumer, `class CommandConsumer(AsyncJsonWebsocketConsumer):`.",
    )
    communicator = WebsocketCommunicator(consumer.as_asgi(), "/ws/commands/")
    try:
        connected, code = await communicator.connect(WAIT)
        expect(
            connected,
            f"CommandConsumer refused the connection (close code {code}): keep the "
            "inherited connect(), which accepts.",
        )
        replies: list[Any] = []
        for i, frame in enumerate(frames):
            if isinstance(frame, bytes):
                await communicator.send_to(bytes_data=frame)
            else:
                await communicator.send_to(text_data=frame)
            replies.append(await _reply(communicator, _shown(frame), _shown(frames[i - 1 : i])))
        return replies
    finally:
        if not communicator.future.done():
            await communicator.disconnect(timeout=WAIT)


def _shown(frame: Frame | Sequence[Frame]) -> str:
    """A frame as messages name it: its text, or "the binary frame b'...'"; "" for none."""
    if not isinstance(frame, str | bytes):
        return _shown(frame[0]) if frame else ""
    return f"the binary frame {frame!r}" if isinstance(frame, bytes) else frame


async def _reply(communicator: Any, frame: str, previous: str) -> Any:
    """The next thing the consumer sent, as JSON; Fail on a crash, a close, or silence."""
    try:
        message = await communicator.receive_output(WAIT)
    except NotImplementedError:
        raise  # the released stub: the grader says "not written yet"
    except TimeoutError:
        raise Fail(
            f"CommandConsumer sent no reply to the frame {frame} within {WAIT:g} s: answer "
            "every frame, errors included, with await self.send_json(...)."
        ) from None
    except Exception as error:
        raise Fail(_crash(error, frame)) from error
    if message["type"] == "websocket.close":
        when = f"after answering {previous}" if previous else f"instead of answering {frame}"
        raise Fail(
            f"CommandConsumer closed the connection (code {message.get('code', 1000)}) {when}: "
            f"reply with an error, {ERROR_SHAPE}, and keep the connection open for the next "
            "command."
        )
    text = message.get("text")
    expect(
        isinstance(text, str),
        f"CommandConsumer answered {frame} with a binary frame: reply with send_json(...).",
    )
    try:
        return json.loads(text)
    except ValueError:
        raise Fail(
            f"CommandConsumer answered {frame} with {text!r}, which is not JSON: reply with "
            "await self.send_json({...}), not self.send(text_data=...)."
        ) from None


def _crash(error: Exception, frame: str) -> str:
    """What to say when the consumer raised, which kills it and closes the connection."""
    said = f"CommandConsumer raised {type(error).__name__}: {error} on the frame {frame}"
    if frame.startswith("the binary frame"):
        return (
            f"CommandConsumer raised {type(error).__name__}: {error} on {frame}, and died. A "
            "binary frame comes to receive() as bytes_data, with text_data None (the inherited "
            "receive() refuses it with ValueError): override receive() and reply to it with "
            f"an error, {ERROR_SHAPE}."
        )
    if isinstance(error, AttributeError) and frame[:1] in tuple('["0123456789tfn'):
        return (
            f"{said}, and died: JSON that is not an object decodes to a list, str, number or "
            "None, which has no .get(): check isinstance(content, dict) first and reply "
            f"{ERROR_SHAPE}."
        )
    if isinstance(error, json.JSONDecodeError):
        return (
            f"{said}. The inherited receive() passes the text to json.loads and lets its "
            "error through, which kills the consumer: override receive(), catch ValueError, "
            f"and reply {ERROR_SHAPE}."
        )
    return (
        f"{said}, so the consumer died and the connection with it. Check the frame "
        f"before you use it (content.get(...), isinstance(...)) and reply {ERROR_SHAPE}."
    )


def _expect_error(reply: Any, frame: str, why: str) -> None:
    """``reply`` must be {"type": "error", "error": "<a message>"}."""
    if isinstance(reply, dict) and reply.get("type") == "error":
        expect(
            isinstance(reply.get("error"), str) and reply["error"].strip(),
            f"CommandConsumer answered {frame} with {reply}: an error reply says what was "
            f'wrong in its "error" key, a non-empty string: {ERROR_SHAPE}.',
        )
        return
    raise Fail(f"CommandConsumer answered {frame} with {reply}; {why} deserves {ERROR_SHAPE}.")


async def _still_open(consumer: Any, frames: Sequence[Frame], why: str) -> None:
    """Each of ``frames`` gets an error reply, and a ping afterwards still gets its pong."""
    replies = await _talk(consumer, [*frames, PING])
    for frame, reply in zip(frames, replies, strict=False):
        _expect_error(reply, _shown(frame), why)
    expect(
        replies[-1] == {"type": "pong"},
        f"after the error replies, CommandConsumer answered {PING} with {replies[-1]}: "
        'the connection must go on working, {"type": "pong"}.',
    )


@commands.check('{"command": "ping"} gets {"type": "pong"}')
async def ping_gets_pong(CommandConsumer: Any) -> None:
    (reply,) = await _talk(CommandConsumer, [PING])
    expect(
        reply == {"type": "pong"},
        f'CommandConsumer answered {PING} with {reply}; expected exactly {{"type": "pong"}}.',
    )


@commands.check('{"command": "add", "a": 1, "b": 2} gets {"type": "result", "value": 3}')
async def add_adds(CommandConsumer: Any) -> None:
    cases = [(1, 2, 3), (2.5, -0.5, 2.0), (-7, 7, 0)]
    frames = [json.dumps({"command": "add", "a": a, "b": b}) for a, b, _ in cases]
    replies = await _talk(CommandConsumer, frames)
    for frame, reply, (_, _, total) in zip(frames, replies, cases, strict=True):
        expect(
            reply == {"type": "result", "value": total},
            f"CommandConsumer answered {frame} with {reply}; expected "
            f'{{"type": "result", "value": {total}}}.',
        )


@commands.check('{"command": "echo", "text": "..."} gets {"type": "echo", "text": "..."}')
async def echo_echoes(CommandConsumer: Any) -> None:
    for text in ("hello, consumer", "héllo 👋"):
        frame = json.dumps({"command": "echo", "text": text}, ensure_ascii=False)
        (reply,) = await _talk(CommandConsumer, [frame])
        expected = {"type": "echo", "text": text}
        expect(
            reply == expected,
            f"CommandConsumer answered {frame} with {reply}; expected "
            f"{json.dumps(expected, ensure_ascii=False)}.",
        )


@commands.check("an unknown or missing command gets an error reply; the connection stays open")
async def unknown_command_is_an_error(CommandConsumer: Any) -> None:
    frames = ['{"command": "fly"}', '{"text": "no command here"}']
    await _still_open(CommandConsumer, frames, "an unknown or missing command")


@commands.check("add with non-numbers, or echo without text, gets an error reply")
async def bad_fields_are_errors(CommandConsumer: Any) -> None:
    strings = '{"command": "add", "a": "1", "b": "2"}'
    (reply,) = await _talk(CommandConsumer, [strings])
    if isinstance(reply, dict) and reply.get("type") == "result":
        raise Fail(
            f"CommandConsumer answered {strings} with {reply}: add took two strings and "
            '"added" them. Check that a and b are numbers (int or float) and reply '
            f"{ERROR_SHAPE} when they are not."
        )
    flags = '{"command": "add", "a": true, "b": 1}'
    (reply,) = await _talk(CommandConsumer, [flags])
    if isinstance(reply, dict) and reply.get("type") == "result":
        raise Fail(
            f"CommandConsumer answered {flags} with {reply}: true is a bool, and bool is a "
            "subclass of int, so isinstance(True, (int, float)) holds. Leave bools out: "
            f"isinstance(x, (int, float)) and not isinstance(x, bool), else reply {ERROR_SHAPE}."
        )
    frames = [
        strings,
        flags,
        '{"command": "add", "a": 1}',
        '{"command": "add", "a": 1, "b": null}',
        '{"command": "echo"}',
        '{"command": "echo", "text": 42}',
    ]
    await _still_open(CommandConsumer, frames, "a command with a missing or wrong field")


@commands.check('JSON that is not an object ([1, 2], "ping", 42) gets an error reply')
async def non_objects_are_errors(CommandConsumer: Any) -> None:
    await _still_open(
        CommandConsumer, ["[1, 2]", '"ping"', "42", "null"], "JSON that is not an object"
    )


@commands.check("malformed JSON, or a binary frame, gets an error reply; the connection stays open")
async def malformed_json_is_an_error(CommandConsumer: Any) -> None:
    frames: list[Frame] = ['{"command": "ping"', "not JSON at all", b'{"command": "ping"}']
    await _still_open(CommandConsumer, frames, "text that is not JSON, or a binary frame,")
