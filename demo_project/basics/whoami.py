"""WhoAmIConsumer: tells a WebSocket client which user its session logged in.

Lesson 05's exercise `seed-stack` routes a WebSocket to it through a stack the student builds:
it answers only when something outside it (AuthMiddlewareStack) has put ``scope["user"]`` there.
"""

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class WhoAmIConsumer(AsyncJsonWebsocketConsumer):
    """Accept, then send ``{"user": <username, "" if anonymous>, "authenticated": <bool>}``."""

    async def connect(self):
        """Read the user the middleware resolved (a KeyError without AuthMiddlewareStack)."""
        user = self.scope["user"]
        await self.accept()
        await self.send_json({"user": user.get_username(), "authenticated": user.is_authenticated})
