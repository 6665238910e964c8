"""The demo's own ChatConsumer (demo_project/chat/consumers.py) with one client connected, on
a channel layer of the check's own, for checks that send it events as another process would.

The layer is a fresh InMemoryChannelLayer under an alias of its own, made inside the check (a
layer's queues belong to the event loop that uses them), and gone when the block ends: the
kernel's layers are never touched. asgiref's ApplicationCommunicator plays the client.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from course.checking.model import Fail, expect

WAIT = 0.5  # seconds for one event or frame


def chat_scope(room: str) -> dict[str, Any]:
    """The scope the demo's URLRouter gives ChatConsumer for ws/chat/<room>/."""
    return {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "path": f"/ws/chat/{room}/",
        "headers": [],
        "query_string": b"",
        "subprotocols": [],
        "url_route": {"args": (), "kwargs": {"room_name": room}},
    }


@dataclass
class ChatClient:
    """A client of the ChatConsumer in ``room``, whose layer is ``layer``."""

    room: str
    layer: Any
    communicator: Any

    async def frame(self, after: str) -> dict[str, Any]:
        """The next frame the client gets, as JSON; Fail on silence, a crash, or no frame."""
        try:
            message = await self.communicator.receive_output(WAIT)
        except TimeoutError:
            raise Fail(f"the ChatConsumer's client got no frame {after} within {WAIT} s.") from None
        except Exception as error:  # the consumer crashed: receive_output raises its error
            raise Fail(f"the ChatConsumer crashed {after}: {error!r}.") from None
        if message.get("type") != "websocket.send":
            raise Fail(f"the ChatConsumer sent {message!r} {after}, not a frame.")
        frame: dict[str, Any] = json.loads(message["text"])
        return frame


@contextlib.asynccontextmanager
async def chat_client() -> AsyncIterator[ChatClient]:
    """A client connected to a new room (its history and its own join read), then gone."""
    from asgiref.testing import ApplicationCommunicator
    from channels.layers import InMemoryChannelLayer, channel_layers

    from chat.consumers import ChatConsumer

    room, alias = f"check-{secrets.token_hex(4)}", f"course-check-{secrets.token_hex(4)}"
    layer = channel_layers.backends[alias] = InMemoryChannelLayer()
    consumer: Any = type("CheckedChat", (ChatConsumer,), {"channel_layer_alias": alias})
    client: Any = ApplicationCommunicator(consumer.as_asgi(), chat_scope(room))  # type: ignore[no-untyped-call]
    try:
        await client.send_input({"type": "websocket.connect"})
        accepted = await client.receive_output(WAIT)
        expect(accepted["type"] == "websocket.accept", f"ChatConsumer answered {accepted!r}.")
        chat = ChatClient(room, layer, client)
        await chat.frame("after connecting (its history)")
        await chat.frame("after connecting (its own join)")
        yield chat
    finally:
        channel_layers.backends.pop(alias, None)
        future = client.future
        if not future.done():
            future.cancel()
        await asyncio.gather(future, return_exceptions=True)


__all__ = ["WAIT", "ChatClient", "chat_client", "chat_scope"]
