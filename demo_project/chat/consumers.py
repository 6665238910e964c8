"""The chat consumer: one instance per WebSocket connection, rooms as channel-layer groups."""

import json
import secrets

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .models import Message

PRIVATE_PREFIX = "private-"
# Room names use only the characters (and length) a channel-layer group name allows:
# the group is "chat.<room>", and group names must match ^[a-zA-Z\d\-_.]+$, under 100
# chars. routing.py, urls.py and views.py all use this one rule.
ROOM_NAME = r"[A-Za-z0-9_.-]{1,50}"
HISTORY_LENGTH = 50  # messages a newcomer gets on connect
HISTORY_PAGE = 100  # messages per answer to {"type": "history", "after": ID}
# The largest id SQLite (and PostgreSQL's bigint) can store: a larger "after" would make
# the query itself fail with OverflowError.
MAX_ID = 2**63 - 1
MAX_TEXT_LENGTH = 500
# Codes 4000-4999 are free for applications. Why accept, then close? Closing before
# accept makes the server refuse the handshake with HTTP 403, and a browser reports
# that only as code 1006; after accept, the client receives our own readable code.
CLOSE_LOGIN_REQUIRED = 4401

EXAMPLE = '{"type": "message", "text": "hi"}'  # quoted in error messages
HISTORY_EXAMPLE = '{"type": "history", "after": 0}'
JSON_KINDS = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true or false",
    type(None): "null",
}


def shape_problem(content):
    """What is wrong with the shape of a decoded frame, or "" for a message or history frame."""
    if not isinstance(content, dict):
        return f"Got {JSON_KINDS[type(content)]}, not an object"
    if "type" not in content:
        return 'The object has no "type"'
    if content["type"] not in ("message", "history"):
        return f"Unknown type {json.dumps(content['type'])[:40]}"
    return ""


def after_problem(after):
    """What is wrong with the "after" of a history request, or "" if it is a usable id."""
    # bool is a subclass of int: true and false are not ids.
    if not isinstance(after, int) or isinstance(after, bool):
        return f'"after" must be a whole number (the last id you have), as in {HISTORY_EXAMPLE}'
    if not 0 <= after <= MAX_ID:
        return f'"after" must be between 0 and {MAX_ID}, as in {HISTORY_EXAMPLE}'
    return ""


def event_of(message_id, author, text, created):
    """The JSON a client receives for one stored message, from its fields."""
    return {
        "type": "message",
        "id": message_id,
        "user": author,
        "text": text,
        "created": created.isoformat(),
    }


def message_event(message):
    """The JSON a client receives for one stored message."""
    return event_of(message.id, message.author, message.text, message.created)


async def recent_messages(room, limit=HISTORY_LENGTH):
    """The room's last ``limit`` messages, oldest first (async ORM: no sync queries here)."""
    newest_first = Message.objects.filter(room=room).order_by("-created", "-id")[:limit]
    return [message_event(message) async for message in newest_first][::-1]


async def messages_after(room, after, limit=HISTORY_PAGE):
    """One page of the room's messages with an id above ``after``, oldest first, and
    whether more follow. Ids only grow, so paging on them never skips or repeats one."""
    rows = Message.objects.filter(room=room, id__gt=after).order_by("id")
    # Plain tuples, not Message objects: a catch-up may read thousands of rows, and this
    # is twice as fast.
    fields = rows.values_list("id", "author", "text", "created")[: limit + 1]
    page = [event_of(*row) async for row in fields]
    return page[:limit], len(page) > limit


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """Relay chat messages between everyone connected to one room."""

    joined = False  # True once this connection is in the room's group.

    async def connect(self):
        """Called when a client asks to open the WebSocket."""
        self.room = self.scope["url_route"]["kwargs"]["room_name"]
        self.group = f"chat.{self.room}"  # Group names: ASCII letters, digits, -_. only.
        user = self.scope.get("user")  # Set by AuthMiddlewareStack from the session cookie.
        self.user = user if user is not None and user.is_authenticated else None
        self.author = self.user.username if self.user else f"guest-{secrets.token_hex(2)}"

        # Private rooms: accept, then close with our code (see CLOSE_LOGIN_REQUIRED).
        if self.room.startswith(PRIVATE_PREFIX) and self.user is None:
            await self.accept()
            await self.close(code=CLOSE_LOGIN_REQUIRED, reason="log in to join private rooms")
            return

        # Join room group
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.joined = True
        await self.accept()
        # Send the newcomer the room's history
        await self.send_json({"type": "history", "messages": await recent_messages(self.room)})
        # Tell everyone in the room (the newcomer too) who arrived
        await self.channel_layer.group_send(
            self.group, {"type": "chat.presence", "event": "join", "user": self.author}
        )

    async def disconnect(self, code):
        """Called when the socket closes, whoever closed it."""
        if not self.joined:
            return
        # Leave room group first, so the goodbye is not queued for a dead channel
        await self.channel_layer.group_discard(self.group, self.channel_name)
        # Tell the others who left
        await self.channel_layer.group_send(
            self.group, {"type": "chat.presence", "event": "leave", "user": self.author}
        )

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Called with each frame. Replaces the parent's, which raises on bad JSON or bytes
        and so would kill the connection; here bad input gets an error frame instead."""
        if text_data is None:
            await self.send_error(
                "binary_not_supported", "This chat reads JSON text frames, not binary frames."
            )
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested too deep
            await self.send_error("bad_json", f"That frame is not valid JSON; send {EXAMPLE}.")
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        """Called with each decoded JSON frame: validate, then store and broadcast a message,
        or answer a history request."""
        if not self.joined:  # refused (a private room), and closing: read nothing, store nothing
            return
        problem = shape_problem(content)
        if problem:
            await self.send_error("bad_shape", f"{problem}; send an object like {EXAMPLE}.")
            return
        if content["type"] == "history":
            await self.send_history(content.get("after"))
            return
        text = content.get("text")
        if not isinstance(text, str) or not text.strip():
            await self.send_error(
                "bad_text", f'"text" must be a non-empty string, as in {EXAMPLE}.'
            )
            return
        text = text.strip()
        if len(text) > MAX_TEXT_LENGTH:
            await self.send_error(
                "too_long", f"Text is {len(text)} characters long; the limit is {MAX_TEXT_LENGTH}."
            )
            return

        # Save the message
        message = await Message.objects.acreate(
            room=self.room, user=self.user, author=self.author, text=text
        )
        # Send it to the room group; each member's chat_message handler relays it
        await self.channel_layer.group_send(
            self.group, {**message_event(message), "type": "chat.message"}
        )

    async def send_history(self, after):
        """Answer {"type": "history", "after": ID}: the next page of what this client missed.

        Live frames are at most once: a group_send to a full channel drops the message for
        that client, silently. Every message is stored, though, and every frame carries its
        id, so a client that sees a gap (or reconnects) asks for the messages after the last
        id it has, page by page, until "more" is false.
        """
        problem = after_problem(after)
        if problem:
            await self.send_error("bad_after", f"{problem}.")
            return
        messages, more = await messages_after(self.room, after)
        await self.send_json({"type": "history", "messages": messages, "more": more})

    async def chat_message(self, event):
        """Handler for "chat.message" events from the group (the "." becomes "_")."""
        # Relay the message to this client
        await self.send_json({**event, "type": "message"})

    async def chat_presence(self, event):
        """Handler for "chat.presence" events: someone joined or left."""
        # Relay the presence change to this client
        await self.send_json({"type": "presence", "event": event["event"], "user": event["user"]})

    async def send_error(self, code, message):
        """Tell the client what was wrong; the connection stays open."""
        await self.send_json({"type": "error", "code": code, "message": message})
