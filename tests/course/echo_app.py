"""A raw ASGI app for the process tests, served by path (tests.course.echo_app:application).

HTTP ``/env/NAME`` answers with that environment variable, any other path with
"hello from <path>"; a WebSocket echoes text back.
"""

import os
from typing import Any


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answer HTTP and echo WebSocket text."""
    if scope["type"] == "http":
        await receive()
        path = scope["path"]
        if path.startswith("/env/"):
            body = os.environ.get(path.removeprefix("/env/"), "<unset>")
        else:
            body = f"hello from {path}"
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body.encode()})
    elif scope["type"] == "websocket":
        while True:
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.accept"})
            elif message["type"] == "websocket.receive":
                await send({"type": "websocket.send", "text": message.get("text") or ""})
            else:
                return
    else:
        raise ValueError(f"unsupported scope type {scope['type']!r}")
