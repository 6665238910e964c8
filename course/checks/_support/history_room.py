"""What lesson 07's checks share: a student's room consumer, talked to in a room of the check's own.

``open_room(HistoryConsumer)`` routes ``ws/history/<room>/`` to the consumer, on a fresh
channel layer (course/checks/_support/rooms.py). The room name is new each time
(``check-<token>``), and every row the check or the consumer wrote is deleted when the
room closes. A sync ORM call in the consumer becomes a Fail that says what to use instead.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import secrets
from collections.abc import AsyncIterator
from typing import Any

from course.checking.model import Fail
from course.checks._support import rooms as _rooms

Said = tuple[Any, Any]  # (author, text) of one frame

SYNC_ORM = (
    "your consumer used the database synchronously inside async code, and Django raised "
    "SynchronousOnlyOperation ({error}). In an async consumer use the async ORM: "
    "await Message.objects.acreate(...), [m async for m in queryset]; or wrap a sync "
    "function in database_sync_to_async. Remember a queryset is lazy: list(qs), "
    "for m in qs and qs[0] are what run the query."
)
NEGATIVE = (
    "your consumer sliced a queryset with a negative index, and Django refused ({error}): a "
    'query cannot count from the end. Order newest first, .order_by("-created", "-id"), '
    "take [: self.history_length], then send that list reversed, so the oldest goes first."
)


class Room(_rooms.Room):
    """The student's consumer behind a router and a fresh layer; a unique room; its clients."""

    def __init__(self, consumer: Any) -> None:
        from channels.generic.websocket import AsyncJsonWebsocketConsumer

        route = "ws/history/<str:room>/"
        super().__init__(consumer, "HistoryConsumer", AsyncJsonWebsocketConsumer, route)
        self.token = secrets.token_hex(4)
        self.name = f"check-{self.token}"

    async def join(self, who: str, room: str = "", consumer: Any = None) -> Any:
        """``who`` opens ws/history/<room>/; Fail unless the consumer accepts."""
        client = await self.connect(who, f"/ws/history/{room or self.name}/", consumer)
        client.room = self  # frames() waits for the room to settle
        return client

    async def write(self, said: list[Said], room: str = "", later: int = 0) -> None:
        """Store messages as if said one second apart, an hour ago (oldest first), or
        ``later`` seconds after that."""
        from chat.models import Message

        rows = [Message(room=room or self.name, author=a, text=t) for a, t in said]
        rows = await Message.objects.abulk_create(rows)
        start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1, seconds=-later)
        for i, row in enumerate(rows):  # auto_now_add set them all to "now": spread them out
            row.created = start + dt.timedelta(seconds=i)
        await Message.objects.abulk_update(rows, ["created"])

    async def stored(self) -> list[tuple[str, str, str]]:
        """(room, author, text) of every row this check's messages left, oldest first."""
        from chat.models import Message

        rows = Message.objects.filter(text__contains=self.token).order_by("created", "id")
        return [(m.room, m.author, m.text) async for m in rows]

    def grouped(self) -> set[str]:
        """Every channel in any of the layer's groups."""
        return {channel for members in self.layer.groups.values() for channel in members}

    async def leave(self, client: Any) -> None:
        """The client hangs up; once the room settles, a crash of its consumer is raised."""
        await client.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.settle()
        _rooms.crashed(client)

    async def close(self) -> None:
        """Stop every consumer, then delete every row of this check."""
        from django.db.models import Q

        from chat.models import Message

        await super().close()
        mine = Q(room__startswith=self.name) | Q(text__contains=self.token)
        await Message.objects.filter(mine).adelete()


@contextlib.asynccontextmanager
async def open_room(consumer: Any) -> AsyncIterator[Room]:
    """A Room, cleaned up whatever happens; a sync ORM call becomes a helpful Fail."""
    from django.core.exceptions import SynchronousOnlyOperation

    try:
        async with _rooms.opened(Room(consumer)) as room:
            yield room
    except SynchronousOnlyOperation as error:
        raise Fail(SYNC_ORM.format(error=error)) from None
    except (ValueError, AssertionError) as error:  # Django's own words for a negative slice
        if "Negative indexing" not in str(error):
            raise
        raise Fail(NEGATIVE.format(error=error)) from None


async def frames(who: str, client: Any) -> list[Said]:
    """(author, text) of each frame ``client`` has received, once its room has settled."""
    await client.room.settle()
    said: list[Said] = []
    while not client.output_queue.empty():
        message = client.output_queue.get_nowait()
        if message["type"] == "websocket.close":
            raise Fail(f"the consumer closed {who}'s connection (code {message.get('code')}).")
        try:
            frame = json.loads(message.get("text") or "")
        except ValueError:
            raise Fail(
                f"{who} received {message!r}, not a JSON text frame: use self.send_json(...)."
            ) from None
        if not isinstance(frame, dict) or "text" not in frame:
            raise Fail(
                f"{who} received the frame {frame!r}; each message goes out as its own frame, "
                'an object like {"author": "ada", "text": "hi"}.'
            )
        said.append((frame.get("author"), frame["text"]))
    _rooms.crashed(client)
    return said
