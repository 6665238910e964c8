"""A complete ASGI application in plain Python: no Django, no Channels.

Lesson 01 calls it by hand and serves it with ``daphne basics.raw:app``.
"""


async def app(scope, receive, send):
    """Answer HTTP, echo WebSocket frames, acknowledge lifespan events."""
    if scope["type"] == "http":
        await http(scope, receive, send)
    elif scope["type"] == "websocket":
        await websocket(scope, receive, send)
    elif scope["type"] == "lifespan":
        await lifespan(scope, receive, send)
    else:
        # The spec asks an app to raise on a scope type it does not know, so the
        # server (or your test) hears about it instead of waiting forever.
        raise ValueError(
            f"basics.raw.app handles http, websocket and lifespan, not {scope['type']!r}"
        )


async def http(scope, receive, send):
    """Read the whole request body, then send a plain-text answer."""
    # The body is never in the scope: it arrives in http.request events, maybe in pieces.
    body = b""
    more_body = True
    while more_body:
        message = await receive()
        if message["type"] == "http.disconnect":
            return  # The client went away; nobody is left to answer.
        body += message.get("body", b"")
        more_body = message.get("more_body", False)

    text = f"Hello, ASGI! You asked for {scope['method']} {scope['path']}"
    payload = f"{text} ({len(body)} bytes of body)\n".encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8")]  # header names are bytes
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def websocket(scope, receive, send):
    """Accept the connection and echo every frame until the client leaves."""
    while True:
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
        elif message["type"] == "websocket.receive":
            # A frame carries either text or bytes; answer in kind.
            if message.get("text") is not None:
                await send({"type": "websocket.send", "text": message["text"]})
            else:
                await send({"type": "websocket.send", "bytes": message["bytes"]})
        elif message["type"] == "websocket.disconnect":
            return


async def lifespan(scope, receive, send):
    """Say yes to startup and shutdown (there is nothing to set up here)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
