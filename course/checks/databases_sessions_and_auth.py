"""Lesson 07's exercise: a room consumer that keeps its messages in the database.

Each check opens a room of its own (course/checks/_support/history_room.py): a fresh name, a
fresh channel layer, WebsocketCommunicators to the student's ``HistoryConsumer``, and
every row deleted at the end. The check reads and writes the demo database with the
async ORM, as the consumer should.
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
        expect(len(rows) == 1, f"one message was sent and {len(rows)} rows were stored.")
        expect(
            rows[0] == (room.name, "ada", text),
            f"the row stored is (room, author, text) = {rows[0]!r}; expected "
            f"{(room.name, 'ada', text)!r}. The room is the one in the URL, "
            "self.scope['url_route']['kwargs']['room'].",
        )


@room_history.check("relays a new message to everyone in the room, and only that room")
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
                "After storing it, group_send it to the room's group; room_message relays it.",
            )
        expect(not heard[2], f"eve, in another room, received {heard[2]!r}: use the room's group.")


def expect_replay(got: list[Said], expected: list[Said], stored: int) -> None:
    """Fail with the likely mistake unless a newcomer received ``expected``."""
    expect(
        got,
        f"the room holds {stored} messages and a newcomer received nothing: in connect(), after "
        "accept(), send_json the room's last history_length messages, oldest first.",
    )
    expect(
        got != expected[::-1],
        f"the newcomer received {got!r}: newest first. Reverse them, so the oldest comes "
        "first (the order they were said).",
    )
    expect(got == expected, f"the newcomer received {got!r}; expected {expected!r}.")


@room_history.check("a newcomer gets the room's stored messages, oldest first")
async def replays_oldest_first(HistoryConsumer: Any) -> None:
    async with open_room(HistoryConsumer) as room:
        said = [(a, f"{t} {room.token}") for a, t in [("ada", "one"), ("bob", "two"), ("cy", "3")]]
        await room.write(said)
        expect_replay(await frames("di", await room.join("di")), said, len(said))


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
        await room.write(said)
        got = await frames("cy", await room.join("cy"))
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
        expect_replay(got, said[-HISTORY_LENGTH:], len(said))
        shorter = type("ShortHistory", (HistoryConsumer,), {"history_length": 2})
        got = await frames("di", await room.join("di", consumer=shorter))
        expect(
            got == said[-2:],
            f"with history_length = 2 (a subclass) the newcomer received {len(got)} messages: "
            "use self.history_length, not the number 5.",
        )
