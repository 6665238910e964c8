"""Lesson 06's exercise: a room consumer whose clients meet in a channel-layer group.

Each check routes ``ws/room/<name>/`` to the student's ``RoomConsumer`` and talks to it
with WebsocketCommunicators, over a fresh InMemoryChannelLayer put in place of the default
one for the length of the check (course/checks/_support/rooms.py). Frames are read once the
room has settled (each consumer has handled all it was sent and waits for more), not after a
quiet 0.1 s: on a busy machine a frame takes longer (a handler first waits for a thread).
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from typing import Any

from course.checking.model import Exercise, Fail, expect
from course.checks._support import rooms as _rooms

LESSON = "06-channel-layers-and-groups"

room_consumer = Exercise("room-consumer", LESSON)
EXERCISES = [room_consumer]

Frame = dict[str, Any]
SETTLE = 1.0  # seconds the room may take to settle: only a stuck consumer takes them all


class _Watch:
    """What one client's consumer awaits: its client's next event, its channel's next message."""

    asking, listening, channel = False, 0, ""


_WATCH: ContextVar[_Watch] = ContextVar("room_watch")  # set in each consumer's own task


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
        plain = self.layer.receive

        async def receive(channel: str) -> Any:  # the consumer awaits its channel's next message
            watch = _WATCH.get(_Watch())
            watch.channel, watch.listening = channel, watch.listening + 1
            try:
                return await plain(channel)
            finally:
                watch.listening -= 1

        self.layer.receive = receive

    def members(self, group: str) -> int:
        return len(self.layer.groups.get(group, {}))

    def grouped(self) -> set[str]:
        return {channel for members in self.layer.groups.values() for channel in members}

    def settled(self, client: Any) -> bool:
        """Has this client's consumer ended, or handled all it was sent and waits for more?"""
        watch: _Watch = client.watch
        queued = self.layer.channels.get(watch.channel)  # a waiting receive keeps one, empty
        layer_done = watch.listening > 0 and (queued is None or queued.empty())
        waits = watch.asking and client.input_queue.empty() and layer_done
        return waits or client.future.done()

    async def settle(self) -> bool:
        """Wait until every consumer has settled (True), or SETTLE seconds have passed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE
        while loop.time() < deadline:  # polled: puts, gets and thread hops all change it
            if all(map(self.settled, self.clients)):
                return True
            await asyncio.sleep(0.005)
        return all(map(self.settled, self.clients))

    async def join(self, user: str, room: str = "lobby") -> Any:
        """``user`` opens ws/room/<room>/?user=<user>; Fail unless the consumer accepts."""
        from channels.testing import WebsocketCommunicator

        watch, app, where = _Watch(), self.app(), f"/ws/room/{room}/?user={user}"

        async def watched(scope: Any, receive: Any, send: Any) -> None:
            async def asked() -> Any:  # the consumer awaits its client's next event
                watch.asking = True
                try:
                    return await receive()
                finally:
                    watch.asking = False

            _WATCH.set(watch)
            await app(scope, asked, send)

        client = WebsocketCommunicator(watched, where)
        client.watch = watch
        self.clients.append(client)
        await client.send_input({"type": "websocket.connect"})
        within = "" if await self.settle() else f" within {SETTLE:g} s"
        _rooms.crashed(client)
        said = f"{user} opened {where} and the consumer"
        answer = {} if client.output_queue.empty() else client.output_queue.get_nowait()
        expect(answer, f"{said} neither accepted nor closed{within}: {self.NOT_ANSWERED}")
        code = answer.get("code", 1000)
        expect(answer["type"] != "websocket.close", f"{said} closed it (code {code}){self.REFUSED}")
        expect(answer["type"] == "websocket.accept", f"{said} answered {answer}, not accept.")
        return client

    async def leave(self, client: Any) -> None:
        """The client hangs up; once the room settles, a crash of its consumer is raised."""
        await client.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.settle()
        _rooms.crashed(client)

    async def frames(self, *names_and_clients: tuple[str, Any]) -> list[list[Frame]]:
        """What each client has received, once the room has settled."""
        await self.settle()
        return [await _frames(n, c) for n, c in names_and_clients]


async def _frames(user: str, client: Any) -> list[Frame]:
    """The frames waiting for ``client``; a crash of its consumer is raised."""
    frames: list[Frame] = []
    try:
        while not client.output_queue.empty():
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
