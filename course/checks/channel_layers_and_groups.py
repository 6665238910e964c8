"""Lesson 06's exercise: a room consumer whose clients meet in a channel-layer group.

Each check routes ``ws/room/<name>/`` to the student's ``RoomConsumer`` and talks to it
with WebsocketCommunicators, over a fresh InMemoryChannelLayer put in place of the default
one for the length of the check (course/checks/_support/rooms.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from course.checking.model import Exercise, Fail, expect
from course.checks._support import rooms as _rooms
from course.checks._support.rooms import CONNECT_TIMEOUT, QUIET

LESSON = "06-channel-layers-and-groups"

room_consumer = Exercise("room-consumer", LESSON)
EXERCISES = [room_consumer]

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

    def members(self, group: str) -> int:
        return len(self.layer.groups.get(group, {}))

    def grouped(self) -> set[str]:
        return {channel for members in self.layer.groups.values() for channel in members}

    async def join(self, user: str, room: str = "lobby") -> Any:
        """``user`` opens ws/room/<room>/?user=<user>; Fail unless the consumer accepts."""
        return await self.connect(user, f"/ws/room/{room}/?user={user}")

    async def frames(self, *names_and_clients: tuple[str, Any]) -> list[list[Frame]]:
        """What each client receives until QUIET seconds pass with nothing new, all at once."""
        return list(await asyncio.gather(*(_frames(n, c) for n, c in names_and_clients)))


def open_room(consumer: Any) -> contextlib.AbstractAsyncContextManager[Room]:
    """A Room whose fresh layer is the default one until the block ends."""
    return _rooms.opened(Room(consumer))


async def _frames(user: str, client: Any) -> list[Frame]:
    frames: list[Frame] = []
    try:
        while not await client.receive_nothing(QUIET):
            frames.append(await client.receive_json_from())
        _rooms.crashed(client)
    except ValueError as error:
        if "No handler for message type" not in str(error):
            raise
        kind = str(error).rsplit(" ", 1)[-1]
        raise Fail(
            f"{user}'s consumer crashed with ValueError: {error}. A group event's type names "
            f"the method that handles it, dots turned into underscores: {kind!r} calls "
            f"{kind.replace('.', '_')}(self, event). Give the method that name, or send the "
            "type your handler's name spells (room.frame for room_frame)."
        ) from None
    return frames


def _has(frames: list[Frame], wanted: Frame) -> bool:
    return any(all(f.get(k) == v for k, v in wanted.items()) for f in frames)


# ---- room-consumer --------------------------------------------------------------------------


@room_consumer.check("Ada opens ws/room/lobby/?user=Ada: accepted, and in the group room_lobby")
async def joins_the_group(RoomConsumer: Any) -> None:
    async with open_room(RoomConsumer) as room:
        await room.join("Ada")
        groups = sorted(room.layer.groups)
        seen = f" (the layer has the groups {groups})" if groups else ""
        expect(
            room.members("room_lobby") == 1,
            f"Ada is connected, but the group room_lobby has {room.members('room_lobby')} "
            f"members{seen}. In connect(), await self.channel_layer.group_add('room_' + name, "
            "self.channel_name), with name = self.scope['url_route']['kwargs']['name'].",
        )


@room_consumer.check("a message from Ada reaches everyone in the room, Ada too")
async def message_reaches_everyone(RoomConsumer: Any) -> None:
    async with open_room(RoomConsumer) as room:
        ada, grace = await room.join("Ada"), await room.join("Grace")
        await room.frames(("Ada", ada), ("Grace", grace))
        await ada.send_json_to({"text": "Hello Grace"})
        to_ada, to_grace = await room.frames(("Ada", ada), ("Grace", grace))
        wanted = {"type": "message", "user": "Ada", "text": "Hello Grace"}
        if not _has(to_grace, wanted) and _has(to_ada, wanted):
            raise Fail(
                f"Ada sent {{'text': 'Hello Grace'}} and got {wanted} back, but Grace, in the "
                f"same room, received {to_grace}: send the message to the room's group with "
                "self.channel_layer.group_send, not to this one client with send_json."
            )
        expect(
            _has(to_grace, wanted),
            f"Ada sent {{'text': 'Hello Grace'}}; Grace, in the same room, received "
            f"{to_grace}, without {wanted}. In receive_json, group_send the message to the "
            "room's group; its handler sends it on to each client.",
        )
        expect(
            _has(to_ada, wanted),
            f"Grace got Ada's message, but Ada received {to_ada}, without {wanted}: the "
            "sender is in the group too, so the group_send reaches her as well.",
        )


@room_consumer.check("a newcomer is announced to the others, not to the newcomer")
async def announces_joins(RoomConsumer: Any) -> None:
    async with open_room(RoomConsumer) as room:
        ada = await room.join("Ada")
        await room.frames(("Ada", ada))
        grace = await room.join("Grace")
        to_ada, to_grace = await room.frames(("Ada", ada), ("Grace", grace))
        wanted = {"type": "join", "user": "Grace"}
        expect(
            _has(to_ada, wanted),
            f"Grace opened /ws/room/lobby/?user=Grace; Ada, already there, received {to_ada}, "
            f"without {wanted}. In connect(), group_send the join to the room's group "
            "(the user's name is in self.scope['query_string']).",
        )
        expect(
            not _has(to_grace, wanted),
            f"Grace received her own join: {to_grace}. Announce a newcomer to the others "
            "only: group_send the join before group_add puts this consumer in the group.",
        )


@room_consumer.check("a leaver is announced to the others and leaves the group")
async def announces_leaves(RoomConsumer: Any) -> None:
    async with open_room(RoomConsumer) as room:
        ada, grace = await room.join("Ada"), await room.join("Grace")
        await room.frames(("Ada", ada), ("Grace", grace))
        before = room.grouped()
        await grace.disconnect(timeout=CONNECT_TIMEOUT)
        (to_ada,) = await room.frames(("Ada", ada))
        wanted = {"type": "leave", "user": "Grace"}
        expect(
            _has(to_ada, wanted),
            f"Grace closed her connection; Ada received {to_ada}, without {wanted}. In "
            "disconnect(), group_send the leave to the room's group.",
        )
        expect(
            room.grouped() < before,
            "Grace has left, yet her channel is still in the room's group: call await "
            "self.channel_layer.group_discard(self.group, self.channel_name) in disconnect(). "
            "Otherwise every message to the room piles up on a channel nobody reads.",
        )


@room_consumer.check("rooms are apart: a message in lobby does not reach kitchen")
async def rooms_are_apart(RoomConsumer: Any) -> None:
    async with open_room(RoomConsumer) as room:
        ada, grace = await room.join("Ada", "lobby"), await room.join("Grace", "kitchen")
        await room.frames(("Ada", ada), ("Grace", grace))
        await ada.send_json_to({"text": "lobby only"})
        (to_grace,) = await room.frames(("Grace", grace))
        expect(
            not _has(to_grace, {"text": "lobby only"}),
            f"Grace is in kitchen, yet received Ada's message from lobby: {to_grace}. Name "
            "the group after the room in the URL: 'room_' + "
            "self.scope['url_route']['kwargs']['name'].",
        )
        expect(
            room.members("room_kitchen") == 1,
            f"Grace opened /ws/room/kitchen/, but the group room_kitchen has "
            f"{room.members('room_kitchen')} members; the layer has {sorted(room.layer.groups)}.",
        )
