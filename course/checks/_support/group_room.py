"""Lesson 06's room: the student's RoomConsumer behind ws/room/<name>/, a fresh
InMemoryChannelLayer, and WebsocketCommunicators as its clients, read once the room settles.

Frames are read once the room has settled (each consumer has handled all it was sent and waits
for more), not after a quiet 0.1 s: on a busy machine a frame takes longer (a handler first
waits for a thread). When a check fails, ``Room.explain`` looks for a cause the symptom hides:
a layer call made without await, or per-connection state set on the class.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from course.checking.model import Fail
from course.checks._support import rooms as _rooms
from course.checks._support.awaits import record_calls, without_await

Frame = dict[str, Any]


class Room(_rooms.Room):
    """A fresh layer, the student's consumer routed at ws/room/<name>/, and its clients."""

    NOT_ANSWERED = (
        "call await self.accept() at the end of connect(), and check that nothing before it "
        "blocks or waits for ever."
    )
    REFUSED = " instead of accepting: call await self.accept() in connect()."

    def __init__(self, consumer: Any) -> None:
        from channels.consumer import AsyncConsumer

        super().__init__(consumer, "RoomConsumer", AsyncConsumer, "ws/room/<str:name>/")
        self.calls = record_calls(self.layer, ("group_add", "group_send", "group_discard"))
        self.class_state = dict(vars(consumer))  # to see state set on the class, not on self
        self.whole_event: Frame | None = None  # a group event a client received as it was

    def explain(self, error: Exception) -> Exception:
        """The cause behind a failed check, where the symptom hides it."""
        dropped = self.calls.unawaited()  # closed, so Python warns no more
        plain = [
            n for n in HANDLERS if n in vars(self.consumer) and not _is_async(self.consumer, n)
        ]
        if plain:
            return Fail(
                f"RoomConsumer.{plain[0]} is a plain def: an AsyncJsonWebsocketConsumer awaits "
                f"each of its handlers, so write async def {plain[0]}(...), and await the "
                "layer's calls and self.accept() inside it."
            )
        if dropped:
            return Fail(without_await(dropped, "RoomConsumer", "self.channel_layer"))
        shared = _set_on_the_class(self.consumer, self.class_state)
        if shared:
            name, value = shared
            return Fail(
                f"RoomConsumer.{name} was set on the class (it is now {value!r}), so every "
                f"connection shares one {name}: the last to connect sets it for all. Keep what "
                f"belongs to one connection on the instance: self.{name} = ... (what the check "
                f"saw: {str(error).split('. ')[0]})."
            )
        if self.whole_event is not None:
            return Fail(
                f"A client received the group's whole event, {self.whole_event}: room_frame("
                "self, event) should send on the frame the event carries, "
                "self.send_json(event['frame']), not the event."
            )
        if isinstance(error, TypeError) and "Group name must be" in str(error):
            return Fail(
                f"The layer refused a group name ({error}) Did the arguments swap? It is "
                "group_add(group, channel): await self.channel_layer.group_add(self.group, "
                "self.channel_name)."
            )
        if isinstance(error, KeyError) and error.args == ("user",):
            return Fail(
                "self.scope has no 'user' here: only AuthMiddlewareStack in front of a route "
                "fills it, and this exercise's route has none. Each client gives its name in "
                "the URL, ?user=Ada: read it from self.scope['query_string'] with parse_qs."
            )
        if isinstance(error, AssertionError) and "Text frame payload is not str" in str(error):
            return Fail(
                f"A consumer sent a text frame whose payload is {_kind(error)}, not a str: "
                "self.send(...) takes the text itself. "
                "Send a dict with self.send_json(...), which turns it into JSON for you."
            )
        return error

    def members(self, group: str) -> int:
        return len(self.layer.groups.get(group, {}))

    def grouped(self) -> set[str]:
        return {channel for members in self.layer.groups.values() for channel in members}

    async def join(self, user: str, room: str = "lobby") -> Any:
        """``user`` opens ws/room/<room>/?user=<user>; Fail unless the consumer accepts."""
        return await self.connect(user, f"/ws/room/{room}/?user={user}")

    async def leave(self, client: Any) -> None:
        """The client hangs up; once the room settles, a crash of its consumer is raised."""
        await client.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.settle()
        _rooms.crashed(client)

    async def frames(self, *names_and_clients: tuple[str, Any]) -> list[list[Frame]]:
        """What each client has received, once the room has settled."""
        await self.settle()
        received = [await _frames(n, c) for n, c in names_and_clients]
        events = [f for fs in received for f in fs if f.get("type") == "room.frame"]
        self.whole_event = events[0] if events else self.whole_event
        return received


async def _frames(user: str, client: Any) -> list[Frame]:
    """The frames waiting for ``client``; a crash of its consumer is raised."""
    frames: list[Frame] = []
    try:
        while not client.output_queue.empty():
            frames.append(await client.receive_json_from())
        _rooms.crashed(client)
    except ValueError as error:
        advice = (
            "Give the method that name, or send the type your handler's name spells "
            "(room.frame for room_frame)."
        )
        explained = _rooms.no_handler(error, f"{user}'s consumer", "group event", "event", advice)
        if explained is None:
            raise
        raise explained from None
    return frames


def _set_on_the_class(consumer: type, before: dict[str, Any]) -> tuple[str, Any] | None:
    """A plain attribute the consumer's code set on its class while the check ran."""
    for name, value in vars(consumer).items():
        if name.startswith("__") or callable(value) or isinstance(value, property):
            continue
        if name not in before or before[name] is not value:
            return name, value
    return None


HANDLERS = ("connect", "receive_json", "disconnect", "room_frame")


def _is_async(consumer: type, name: str) -> bool:
    return asyncio.iscoroutinefunction(getattr(consumer, name))


def _kind(error: Exception) -> str:
    """What the communicator's "... it is <class 'dict'>" names: "a dict"."""
    found = re.search(r"<class '(\w+)'>", str(error))
    return f"a {found[1]}" if found else "something else"
