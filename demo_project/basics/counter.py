"""A running total per connection: the consumer lesson 12's exercise writes tests for.

The client sends ``{"add": n}`` (n a whole number) and gets back ``{"count": total}``, the
total of this connection so far. Anything else gets ``{"error": "..."}``; the total stays
as it was and the connection stays open. Every connection starts from 0.
"""

import json

from channels.generic.websocket import AsyncJsonWebsocketConsumer

USAGE = 'send {"add": n} with n a whole number, e.g. {"add": 2}'


def number_to_add(content):
    """The whole number a frame asks to add, or None if the frame is not {"add": <int>}."""
    if not isinstance(content, dict):
        return None
    n = content.get("add")
    # bool is a subclass of int in Python: {"add": true} is not a number.
    if isinstance(n, int) and not isinstance(n, bool):
        return n
    return None


class CounterConsumer(AsyncJsonWebsocketConsumer):
    """Keep a running total for one connection."""

    async def connect(self):
        """Called when a client opens the WebSocket."""
        self.count = 0  # state of this connection only: each instance starts at 0
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Called with each frame. Bad JSON gets an error reply, not a dead consumer."""
        try:
            content = json.loads(text_data) if text_data is not None else None
        except ValueError:
            content = None
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        """Called with each decoded frame: add, or explain what was wrong."""
        n = number_to_add(content)
        if n is None:
            await self.send_json({"error": USAGE})
            return
        self.count += n
        await self.send_json({"count": self.count})
