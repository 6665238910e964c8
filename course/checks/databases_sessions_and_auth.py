"""Lesson 07's exercise: a room consumer that keeps its messages in the database.

Each check opens a room of its own (course/checks/_support/history_room.py): a fresh name, a
fresh channel layer, WebsocketCommunicators to the student's ``HistoryConsumer``, and
every row deleted at the end. The check reads and writes the demo database with the
async ORM, as the consumer should. It never counts on what else the database holds: the
checks of the replay write newer messages to a room next door, which a query that forgets
the room returns first, whatever other rooms (or other students graded at the same time) hold.
"""

from __future__ import annotations

import asyncio
from typing import Any

from course.checking.model import Exercise, expect
from course.checks._support.history_room import Said, frames, open_room

LESSON = "07-databases-sessions-and-auth"

room_history = Exercise("room-history", LESSON)
EXERCISES = [room_history]

HISTORY_LENGTH = 5


@room_history.check("stores each message as a Message row (room, author, text)")
async def stores_each_message(HistoryConsumer: Any) -> None:
    async with open_room(HistoryConsumer) as room:
        ada = await room.join("ada")
        await frames("ada", ada)
        text = f"remember me {room.token}"
        await ada.send_json_to({"author": "ada", "text": text})
        await frames("ada", ada)
        rows = await room.stored()
        expect(
            rows,
            f'ada sent {{"author": "ada", "text": "{text}"}} and no Message row holds it: in '
            "receive_json, store it with await Message.objects.acreate(room=..., author=..., "
            "text=...).",
        )
        expect(
            len(rows) == 1,
            f"ada, alone in the room, sent one message and {len(rows)} rows hold it: store each "
            "message once, with one acreate in receive_json.",
        )
        expect(
            rows[0] == (room.name, "ada", text),
            f"the row stored is (room, author, text) = {rows[0]!r}; expected "
            f"{(room.name, 'ada', text)!r}. The room is the one in the URL, "
            "self.scope['url_route']['kwargs']['room'].",
        )


@room_history.check("relays a new message to everyone in the room while there, and only that room")
async def relays_to_the_room(HistoryConsumer: Any) -> None:
    async with open_room(HistoryConsumer) as room:
        ada, bob = await room.join("ada"), await room.join("bob")
        eve = await room.join("eve", room=f"{room.name}-other")
        clients = {"ada": ada, "bob": bob, "eve": eve}
        await asyncio.gather(*(frames(who, client) for who, client in clients.items()))
        text = f"hello room {room.token}"
        await ada.send_json_to({"author": "ada", "text": text})
        heard = await asyncio.gather(*(frames(who, client) for who, client in clients.items()))
        for who, got in zip(("ada", "bob"), heard, strict=False):
            expect(
                got == [("ada", text)],
                f"ada sent {text!r}; {who} received {got!r}, expected [('ada', {text!r})]. "
                "After storing it, group_send it to the room's group, which every consumer "
                "joins in connect() with group_add; room_message, the handler of the event, "
                "send_json's it to its own client.",
            )
        expect(not heard[2], f"eve, in another room, received {heard[2]!r}: use the room's group.")
        rows = await room.stored()
        expect(
            len(rows) <= 1,
            f"ada sent one message to a room of two, and {len(rows)} rows hold it: room_message "
            "runs once for each member of the group, so a row stored there is stored once per "
            "member. Store in receive_json, which runs once, for the sender.",
        )
        before = room.grouped()
        await room.leave(bob)
        expect(
            room.grouped() < before,
            "bob disconnected and his consumer's channel is still in the room's group, where "
            "every message of the room piles up for nobody: in disconnect(), group_discard "
            "the group connect() joined, with self.channel_name.",
        )


def expect_this_room(got: list[Said], room: list[Said]) -> None:
    """Fail unless every message a newcomer received was said in this room."""
    foreign = [said for said in got if said not in room]
    expect(
        not foreign,
        f"the newcomer received {foreign[:3]!r}, messages of other rooms (the check wrote "
        "newer ones next door): replay only this room's, Message.objects.filter(room=self.room).",
    )


def expect_replay(got: list[Said], expected: list[Said], room: list[Said]) -> None:
    """Fail with the likely mistake unless a newcomer received ``expected``, the last of
    ``room`` (every message of the room, oldest first)."""
    expect(
        got,
        f"the room holds {len(room)} messages and a newcomer received nothing: in connect(), "
        "after accept(), send_json the room's last history_length messages, oldest first.",
    )
    expect_this_room(got, room)
    expect(
        got != expected[::-1],
        f"the newcomer received {got!r}: newest first. Reverse them, so the oldest comes "
        "first (the order they were said).",
    )
    why = (
        "the right messages in the wrong order: send them oldest first."
        if sorted(got) == sorted(expected)
        else "send the room's last history_length messages, each once, oldest first."
    )
    expect(got == expected, f"the newcomer received {got!r}; expected {expected!r}: {why}")


NEXT_DOOR = [("zed", "next door, later"), ("yan", "next door, last")]


async def newcomer_hears(room: Any, said: list[Said], who: str) -> list[Said]:
    """What ``who`` receives on joining ``room`` once it holds ``said``, and a room next door
    newer messages (what a query that forgets the room returns first)."""
    await room.write(said)
    next_door = [(a, f"{t} {room.token}") for a, t in NEXT_DOOR]
    await room.write(next_door, room=f"{room.name}-next-door", later=len(said) + 1)
    return await frames(who, await room.join(who))


@room_history.check("a newcomer gets the room's stored messages, oldest first")
async def replays_oldest_first(HistoryConsumer: Any) -> None:
    async with open_room(HistoryConsumer) as room:
        said = [(a, f"{t} {room.token}") for a, t in [("ada", "one"), ("bob", "two"), ("cy", "3")]]
        expect_replay(await newcomer_hears(room, said, "di"), said, said)


@room_history.check(f"a newcomer gets only the last history_length ({HISTORY_LENGTH}) messages")
async def replays_only_the_last_ones(HistoryConsumer: Any) -> None:
    length = getattr(HistoryConsumer, "history_length", None)
    expect(
        length == HISTORY_LENGTH,
        f"HistoryConsumer.history_length is {length!r}: set the class attribute "
        f"history_length = {HISTORY_LENGTH}.",
    )
    async with open_room(HistoryConsumer) as room:
        said = [("ada" if i % 2 else "bob", f"message {i} {room.token}") for i in range(1, 9)]
        got = await newcomer_hears(room, said, "cy")
        expect_this_room(got, said)
        expect(
            len(got) <= HISTORY_LENGTH,
            f"the room holds 8 messages and the newcomer received {len(got)}: send only the "
            "last self.history_length: order newest first, then slice [: self.history_length].",
        )
        expect(
            got != said[:HISTORY_LENGTH],
            "the newcomer received the room's first 5 messages, not its last 5: order newest "
            "first, slice, then reverse.",
        )
        expect_replay(got, said[-HISTORY_LENGTH:], said)
        shorter = type("ShortHistory", (HistoryConsumer,), {"history_length": 2})
        got = await frames("di", await room.join("di", consumer=shorter))
        expect(
            got == said[-2:],
            f"with history_length = 2 (a subclass) the newcomer received {len(got)} messages: "
            "use self.history_length, not the number 5.",
        )
