"""What checks of raw WebSocket apps share: a scope, and a strict server to talk through.

``converse()`` plays daphne, only stricter: it hands the app ``websocket.connect``, then
(once the app accepts) the client's frames one by one, then ``websocket.disconnect``,
and reads every message the app sends. Each rule a real server enforces, or silently
works around, becomes a message that says which rule was broken. It never waits long:
an app that does not answer, or keeps running after the disconnect, is cancelled.
``serve()`` does the same with a scope and a server of the caller's own.

An exercise may pass a ``judge``: it sees each message the app sends before the server's
general rules do, and names the exercise's own rule when one is broken (lesson 03: bytes
come back unchanged, never a close), so that a student is never told a general fix ("use
a code from 4000-4999") that leaves the exercise's bug in place. ``requires_close_code()``
is the judge of an exercise that asks for one close code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from course.checking.model import Fail
from course.scopes import websocket_scope
from course.types import ASGIApp, Message, Scope

Frame = str | bytes
APP_TYPES = ("websocket.accept", "websocket.send", "websocket.close")


@dataclass
class Conversation:
    """What the app did: accepted (the accept message) or closed, what it sent, how it ended."""

    offered: list[str]
    accepted: Message | None = None
    closed: Message | None = None  # the app's websocket.close, before or after accepting
    replies: list[Frame] = field(default_factory=list)  # text or bytes of each websocket.send
    disconnected: bool = False  # the server handed the app websocket.disconnect
    returned: bool = False  # the app's call returned (after the disconnect or before it)
    stuck: bool = False  # the app was cancelled while it still had something to do
    delivered: list[Frame] = field(default_factory=list)  # the frames handed over, in order

    @property
    def denied(self) -> bool:
        return self.accepted is None and self.closed is not None


# An exercise's word on a message its app sent, before the general rules: None, or its rule.
Judge = Callable[[Message, Conversation], str | None]


class StrictServer:
    """The receive and send of one connection, checking every message the app sends."""

    def __init__(
        self,
        offered: Sequence[str],
        frames: Sequence[Frame],
        name: str,
        judge: Judge | None = None,
    ) -> None:
        self.talk = Conversation(list(offered))
        self.frames = list(frames)
        self.name = name
        self.judge = judge
        self.violation: Fail | None = None
        self.changed = asyncio.Event()  # set whenever the app accepts or closes
        self.gone = asyncio.Event()  # set once websocket.disconnect was handed over
        self.connected = False

    def _fail(self, message: str) -> Fail:
        """Remember the first broken rule, even if the app catches the exception."""
        self.violation = self.violation or Fail(message)
        return self.violation

    async def receive(self) -> Message:
        talk = self.talk
        if not self.connected:
            self.connected = True
            return {"type": "websocket.connect"}
        while talk.accepted is None and talk.closed is None:
            await self.changed.wait()  # the client waits for the handshake's answer
            self.changed.clear()
        if talk.disconnected:
            await asyncio.Future()  # like daphne: nothing more ever comes
        if talk.closed is None and self.frames:
            frame = self.frames.pop(0)
            talk.delivered.append(frame)
            key = "text" if isinstance(frame, str) else "bytes"
            return {"type": "websocket.receive", key: frame}
        talk.disconnected = True
        self.gone.set()
        if talk.closed is None:
            return {"type": "websocket.disconnect", "code": 1000}  # the client said goodbye
        # Refused: the TCP connection just drops (1006); closed: the client echoes the code.
        code = 1006 if talk.denied else talk.closed.get("code") or 1000
        return {"type": "websocket.disconnect", "code": code}

    async def send(self, message: Message) -> None:
        self._check(message)
        await asyncio.sleep(0)  # a real send yields to the event loop too

    def _check(self, message: Any) -> None:
        name, talk = self.name, self.talk
        kind = message.get("type") if isinstance(message, dict) else None
        if kind not in APP_TYPES:
            extension = isinstance(kind, str) and kind.startswith("websocket.http.response")
            raise self._fail(
                f"{name} sent {kind!r}: this server lists no extensions in scope['extensions'] "
                "(daphne neither), so refuse with websocket.close."
                if extension
                else f"{name} sent {message!r}: a WebSocket app sends dicts whose type is "
                "websocket.accept, websocket.send or websocket.close."
            )
        if not self.connected:
            raise self._fail(
                f"{name} sent {kind} before it received websocket.connect: "
                "first await receive(), which gives you the connect event."
            )
        if talk.closed is not None or talk.disconnected:
            raise self._fail(
                f"{name} sent {kind} after the connection was closed: once you have sent "
                "websocket.close, or received websocket.disconnect, send nothing more."
            )
        said = self.judge(message, talk) if self.judge is not None else None
        if said:
            raise self._fail(said)
        if kind == "websocket.accept":
            self._accept(message)
        elif kind == "websocket.send":
            self._send(message)
        else:
            self._close(message)
        self.changed.set()

    def _accept(self, message: Message) -> None:
        name, talk = self.name, self.talk
        if talk.accepted is not None:
            raise self._fail(f"{name} sent websocket.accept twice: accept once, after connect.")
        chosen = message.get("subprotocol")
        if chosen is not None and chosen not in talk.offered:
            raise self._fail(
                f"{name} accepted with subprotocol={chosen!r}, which the client did not offer "
                f"(scope['subprotocols'] was {talk.offered}): daphne then never completes the "
                "handshake. Choose only from scope['subprotocols']."
            )
        talk.accepted = message

    def _send(self, message: Message) -> None:
        name, talk = self.name, self.talk
        if talk.accepted is None:
            raise self._fail(
                f"{name} sent websocket.send before websocket.accept: the handshake is not over, "
                "so daphne raises ValueError and the client gets HTTP 500. Accept first."
            )
        text, data = message.get("text"), message.get("bytes")
        if (text is None) == (data is None):
            which = "both text and bytes" if text is not None else "neither text nor bytes"
            raise self._fail(
                f"{name} sent a websocket.send with {which} ({message!r}): "
                "give exactly one, {'text': str} or {'bytes': bytes}."
            )
        if text is not None and not isinstance(text, str):
            raise self._fail(f"websocket.send's text must be a str; {name} sent {text!r}.")
        if data is not None and not isinstance(data, bytes):
            raise self._fail(f"websocket.send's bytes must be bytes; {name} sent {data!r}.")
        reply: Frame = text if text is not None else message["bytes"]
        talk.replies.append(reply)

    def _close(self, message: Message) -> None:
        code = message.get("code")
        code = 1000 if code is None else code
        if not isinstance(code, int):
            raise self._fail(f"websocket.close's code must be an int; {self.name} sent {code!r}.")
        if self.talk.accepted is not None and not (code == 1000 or 3000 <= code <= 4999):
            raise self._fail(
                f"{self.name} closed with code {code!r}: daphne (through autobahn) refuses "
                "any code but 1000 and 3000-4999, and the client gets 1011 instead. "
                "Use 1000, or your own code from 4000-4999."
            )
        self.talk.closed = message


def requires_close_code(code: int, name: str, when: str) -> Judge:
    """The judge of an exercise that closes with ``code`` ``when`` ("past the rate limit"):
    any other code after the accept is named as the exercise's rule, before the general one."""

    def judge(message: Message, talk: Conversation) -> str | None:
        if message.get("type") != "websocket.close" or talk.accepted is None:
            return None
        got = message.get("code")
        got = 1000 if got is None else got
        if got == code:
            return None
        return (
            f"{name} closed the connection with code {got!r}: {when}, close with code {code}, "
            f"{{'type': 'websocket.close', 'code': {code}}}."
        )

    return judge


async def converse(
    app: ASGIApp,
    *,
    offer: Sequence[str] = (),
    frames: Sequence[Frame] = (),
    name: str = "the app",
    limit: float = 0.5,
    grace: float = 0.3,
    judge: Judge | None = None,
) -> Conversation:
    """Connect to ``app`` offering ``offer``, send ``frames`` if it accepts, then leave.

    Waits at most ``limit`` seconds for the conversation, then ``grace`` seconds for the
    app to return after websocket.disconnect; raises the first broken rule as a Fail (the
    exercise's own, from ``judge``, before the general ones), and whatever else the app
    raised as it is.
    """
    server = StrictServer(offer, frames, name, judge)
    return await serve(app, websocket_scope("/", offer), server, limit=limit, grace=grace)


async def serve(
    app: ASGIApp, scope: Scope, server: StrictServer, *, limit: float = 0.5, grace: float = 0.3
) -> Conversation:
    """One connection of ``app`` with ``scope`` through ``server``, as ``converse()`` runs it."""
    task = asyncio.ensure_future(app(scope, server.receive, server.send))
    gone = asyncio.ensure_future(server.gone.wait())
    try:
        await asyncio.wait([task, gone], timeout=limit, return_when=asyncio.FIRST_COMPLETED)
        if gone.done() and not task.done():
            await asyncio.wait([task], timeout=grace)
    finally:
        gone.cancel()
        if not task.done():
            server.talk.stuck = True
            task.cancel()
            await asyncio.wait([task], timeout=grace)
    error = task.exception() if task.done() and not task.cancelled() else None
    if server.violation is not None:
        raise server.violation
    if error is not None:
        task.result()  # the app's own exception, with its traceback
    server.talk.returned = task.done() and not server.talk.stuck
    return server.talk


__all__ = [
    "Conversation",
    "Judge",
    "StrictServer",
    "converse",
    "requires_close_code",
    "serve",
    "websocket_scope",
]
