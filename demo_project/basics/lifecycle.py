"""A consumer that refuses some connections, served on its own for lesson 04.

``course.serve("basics.lifecycle:application")`` runs it under daphne, to see what a real
client gets when a consumer closes the socket before accepting it: HTTP 403.
"""

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from django.urls import path

TOKEN = b"token=open-sesame"


class GatekeeperConsumer(AsyncWebsocketConsumer):
    """Accept ``?token=open-sesame``; refuse anyone else before accepting."""

    async def connect(self):
        """Called when a client asks to open the WebSocket."""
        if self.scope["query_string"] == TOKEN:
            await self.accept()
        else:
            # close() before accept(): the server answers the handshake with HTTP 403.
            await self.close()

    async def receive(self, text_data=None, bytes_data=None):
        """Called with each frame: answer once, then close (code 1000)."""
        await self.send(text_data=f"welcome! you said {text_data!r}", close=True)


# WebSocket routes only: this small app needs no Django view and no middleware.
application = URLRouter([path("ws/gate/", GatekeeperConsumer.as_asgi())])
