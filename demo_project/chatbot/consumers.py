"""The chat bot: an AsyncConsumer for the custom "chat" scope type of lineproto.py.

The line server sends chat.connect, then one chat.receive_message per line, then
chat.disconnect; the bot answers with chat.send_message. Given a room, the bot also
joins the web chat's group there, so the same consumer answers the browser too.
"""

from datetime import UTC, datetime

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

BOT_NAME = "bot"


def answer(user, text):
    """What the bot says to ``text`` from ``user``: the text, backwards."""
    return f"@{user} {text[::-1]}"


class BotConsumer(AsyncConsumer):
    """One instance per connection; Channels calls the method named after each event's type."""

    async def chat_connect(self, event):
        """The server opened the connection: its first event."""
        self.user = self.scope["user"]
        self.group = None
        if self.scope.get("room"):
            # Join the web chat's room group: the very group ChatConsumer sends to
            self.group = f"chat.{self.scope['room']}"
            await self.channel_layer.group_add(self.group, self.channel_name)

    async def chat_receive_message(self, event):
        """A line from this connection's client: answer it."""
        await self.send({"type": "chat.send_message", "text": answer(self.user, event["text"])})

    async def chat_message(self, event):
        """A message in the web chat room, delivered by the channel layer (not by receive)."""
        if event["user"] == BOT_NAME:
            return  # our own answer, back from the group: answering it would loop forever
        # Tell our line client what was said in the room
        room, said = self.scope["room"], f"{event['user']}: {event['text']}"
        await self.send({"type": "chat.send_message", "text": f"[{room}] {said}"})
        # Answer in the room, in the shape ChatConsumer.chat_message relays to browsers
        await self.channel_layer.group_send(
            self.group,
            {
                "type": "chat.message",
                "id": None,
                "user": BOT_NAME,
                "text": answer(event["user"], event["text"]),
                "created": datetime.now(UTC).isoformat(),
            },
        )

    async def chat_presence(self, event):
        """Someone joined or left the room. Nothing to say, but every type the group
        carries needs a handler: without one, dispatch raises and the bot dies."""

    async def chat_disconnect(self, event):
        """The client left: leave the room's group, then stop this consumer."""
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
        raise StopConsumer()
