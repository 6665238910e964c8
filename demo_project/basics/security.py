"""Lesson 13's WebSocket routes: who am I (with and without an Origin check), tokens, rate limits.

- ``/ws/whoami/open/``   the session's user, NO Origin check: any site can hijack it
- ``/ws/whoami/``        the same behind AllowedHostsOriginValidator
- ``/ws/token/``         a token instead of a cookie, for clients that are not browsers
- ``/ws/echo/limited/``  an echo that closes with 4008 after RATE messages in PER seconds
"""

import time
from collections import deque

from channels.auth import AuthMiddlewareStack
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from config.asgi import django_asgi_app

# What a page's JavaScript can pass when it opens a WebSocket: a URL and subprotocols,
# nothing else. From the WebSockets Standard, as MDN shows it:
# https://developer.mozilla.org/docs/Web/API/WebSocket/WebSocket
BROWSER_API = "new WebSocket(url)\nnew WebSocket(url, protocols)"
TOKENS = {"s3cret": "ada"}  # a real site keeps (hashed) tokens in its database
TOKEN_PROTOCOL = "access_token"  # subprotocols ["access_token", "<token>"] carry a token
CLOSE_TOO_MANY = 4008  # 4000-4999 are the application's; 1008 is "policy violation"


class WhoAmIConsumer(AsyncJsonWebsocketConsumer):
    """Tell the client who the server thinks it is (scope["user"]), then wait."""

    async def connect(self):
        """Accept, in the token subprotocol if the client offered it, and say who you are."""
        offered = self.scope["subprotocols"]
        await self.accept(subprotocol=TOKEN_PROTOCOL if TOKEN_PROTOCOL in offered else None)
        user = self.scope.get("user")
        # A Django user (from the session cookie) or a plain name (from a token).
        name = getattr(user, "username", user) or None
        await self.send_json({"user": name})


def token_of(scope):
    """The token of a handshake: ``Authorization: Bearer <token>``, or the subprotocols
    ``["access_token", "<token>"]`` (all a browser's ``new WebSocket(url, protocols)`` can send)."""
    headers = dict(scope["headers"])
    scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    if scheme.lower() == "bearer" and token:
        return token
    offered = scope["subprotocols"]
    if len(offered) == 2 and offered[0] == TOKEN_PROTOCOL:
        return offered[1]
    return None


class TokenMiddleware:
    """Put the token's user in scope["user"] (on a copy); refuse a WebSocket without one."""

    def __init__(self, inner, tokens=TOKENS):
        self.inner = inner
        self.tokens = tokens

    async def __call__(self, scope, receive, send):
        user = self.tokens.get(token_of(scope))
        if user is None:
            await send({"type": "websocket.close"})  # before accept: the server answers 403
            return
        await self.inner(dict(scope, user=user), receive, send)


class RateLimitedEchoConsumer(AsyncWebsocketConsumer):
    """Echo text frames, at most RATE in any PER seconds; close with 4008 past that."""

    RATE, PER = 5, 1.0

    async def connect(self):
        """One window of recent messages per connection."""
        self.recent = deque()
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        """Forget messages older than PER seconds; refuse one more than RATE."""
        now = time.monotonic()
        while self.recent and now - self.recent[0] >= self.PER:
            self.recent.popleft()
        if len(self.recent) >= self.RATE:
            await self.close(code=CLOSE_TOO_MANY, reason="too many messages")
            return
        self.recent.append(now)
        await self.send(text_data=f"echo: {text_data}")


whoami = AuthMiddlewareStack(WhoAmIConsumer.as_asgi())  # the user from the session cookie
websocket_urlpatterns = [
    path("ws/whoami/open/", whoami),
    path("ws/whoami/", AllowedHostsOriginValidator(whoami)),
    path("ws/token/", TokenMiddleware(WhoAmIConsumer.as_asgi())),
    path("ws/echo/limited/", RateLimitedEchoConsumer.as_asgi()),
]
application = ProtocolTypeRouter(
    {"http": django_asgi_app, "websocket": URLRouter(websocket_urlpatterns)}
)
