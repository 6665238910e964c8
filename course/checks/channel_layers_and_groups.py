"""Lesson 06's exercise: a room consumer whose clients meet in a channel-layer group.

Each check routes ``ws/room/<name>/`` to the student's ``RoomConsumer`` and talks to it
with WebsocketCommunicators, over a fresh InMemoryChannelLayer put in place of the default
one for the length of the check (course/checks/_support/rooms.py). Frames are read once the
room has settled (each consumer has handled all it was sent and waits for more), not after a
quiet 0.1 s: on a busy machine a frame takes longer (a handler first waits for a thread).
"""

from __future__ import annotations

from typing import Any

from course.checking.model import Exercise, Fail, expect
from course.checks._support import rooms as _rooms
from course.checks._support.group_room import Frame, Room

LESSON = "06-channel-layers-and-groups"

room_consumer = Exercise("room-consumer", LESSON)
EXERCISES = [room_consumer]


def _has(frames: list[Frame], wanted: Frame) -> bool:
    return any(all(f.get(k) == v for k, v in wanted.items()) for f in frames)


# ---- room-consumer --------------------------------------------------------------------------


@room_consumer.check("Ada opens ws/room/lobby/?user=Ada: accepted, and in the group room_lobby")
async def joins_the_group(RoomConsumer: Any) -> None:
    async with _rooms.opened(Room(RoomConsumer)) as room:
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
    async with _rooms.opened(Room(RoomConsumer)) as room:
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
    async with _rooms.opened(Room(RoomConsumer)) as room:
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
    async with _rooms.opened(Room(RoomConsumer)) as room:
        ada, grace = await room.join("Ada"), await room.join("Grace")
        await room.frames(("Ada", ada), ("Grace", grace))
        before = room.grouped()
        await room.leave(grace)
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
    async with _rooms.opened(Room(RoomConsumer)) as room:
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
