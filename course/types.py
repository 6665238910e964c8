"""ASGI's shapes as types, the way starlette's ``types.py`` writes them.

An ASGI application is an async callable taking a scope (what the connection is),
``receive`` (await the next event from the server) and ``send`` (hand an event to
the server). Scopes and events are plain dicts with a ``"type"`` key.
"""

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]

Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

__all__ = ["ASGIApp", "Message", "Receive", "Scope", "Send"]
