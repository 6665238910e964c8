"""Raw ASGI WebSocket apps: one that does it right, one that refuses, and classic mistakes.

Lesson 03 serves them with ``course.serve(app="basics.ws_raw:app")``; the path picks the
app (``/echo/``, ``/deny/``, ``/greet/``, ``/mistakes/<name>/``, see ROUTES). Anything
that is not a WebSocket goes to ``basics.raw.app``, so the same server answers HTTP too.
"""

from basics import raw

SPOKEN = ["echo.v1"]  # the subprotocols echo() speaks


async def app(scope, receive, send):
    """Send each WebSocket to the app ROUTES names for its path; the rest to basics.raw."""
    if scope["type"] != "websocket":
        await raw.app(scope, receive, send)
        return
    handler = ROUTES.get(scope["path"], deny)
    await handler(scope, receive, send)


async def until_disconnect(receive):
    """Wait for the client to leave, ignoring what it sends."""
    while (await receive())["type"] != "websocket.disconnect":
        pass


# ---- Doing it right -------------------------------------------------------------------------


async def echo(scope, receive, send):
    """Accept in a subprotocol both sides speak, echo text and bytes, close on "bye"."""
    while True:
        message = await receive()
        if message["type"] == "websocket.connect":
            # Choose from what the client offered (scope["subprotocols"]); None: no subprotocol.
            chosen = next((p for p in scope["subprotocols"] if p in SPOKEN), None)
            await send({"type": "websocket.accept", "subprotocol": chosen})
        elif message["type"] == "websocket.receive":
            if message.get("text") == "bye":
                # Codes 4000-4999 are for applications to use as they like.
                await send({"type": "websocket.close", "code": 4000, "reason": "see you"})
            elif message.get("text") is not None:
                await send({"type": "websocket.send", "text": message["text"]})
            else:
                await send({"type": "websocket.send", "bytes": message["bytes"]})
        elif message["type"] == "websocket.disconnect":
            return  # The client is gone: nothing more will come.


async def deny(scope, receive, send):
    """Refuse the connection: close before accepting, which the client sees as HTTP 403."""
    await receive()  # websocket.connect
    if "websocket.http.response" in scope.get("extensions", {}):
        # Only a server that lists this extension lets the app write its own HTTP answer.
        headers = [(b"content-type", b"text/plain")]
        await send({"type": "websocket.http.response.start", "status": 403, "headers": headers})
        await send({"type": "websocket.http.response.body", "body": b"Not here.\n"})
    else:
        await send({"type": "websocket.close", "code": 4003})


async def greet(scope, receive, send):
    """Accept first, then greet, then wait for the client to leave."""
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": "welcome!"})
    await until_disconnect(receive)


async def text_then_bytes(scope, receive, send):
    """A caption and a picture: two websocket.send messages, one key each."""
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": "a tiny picture:"})
    await send({"type": "websocket.send", "bytes": b"\x89PNG\r\n"})
    await until_disconnect(receive)


# ---- Classic mistakes -----------------------------------------------------------------------


async def greet_before_accept(scope, receive, send):
    """Mistake: greets before accepting (the handshake is not finished)."""
    await receive()  # websocket.connect
    await send({"type": "websocket.send", "text": "welcome!"})
    await send({"type": "websocket.accept"})
    await until_disconnect(receive)


async def text_and_bytes(scope, receive, send):
    """Mistake: one websocket.send with both text and bytes."""
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": "a tiny picture:", "bytes": b"\x89PNG\r\n"})
    await until_disconnect(receive)


async def text_data(scope, receive, send):
    """Mistake: a consumer's keyword (text_data) as the message key, so neither text nor bytes."""
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text_data": "welcome!"})
    await until_disconnect(receive)


async def close_1003(scope, receive, send):
    """Mistake under daphne: closes with 1003 ("unsupported data"), a code it refuses."""
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await receive()  # the first frame
    await send({"type": "websocket.close", "code": 1003, "reason": "text only"})
    await until_disconnect(receive)


async def ignores_disconnect(scope, receive, send):
    """Mistake: echoes text forever and never looks for websocket.disconnect."""
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.receive":
            await send({"type": "websocket.send", "text": message["text"]})


async def unoffered_subprotocol(scope, receive, send):
    """Mistake: accepts with its favourite subprotocol, whatever the client offered."""
    await receive()  # websocket.connect
    await send({"type": "websocket.accept", "subprotocol": "echo.v1"})
    await until_disconnect(receive)


ROUTES = {
    "/echo/": echo,
    "/deny/": deny,
    "/greet/": greet,
    "/text-then-bytes/": text_then_bytes,
    "/mistakes/greet-before-accept/": greet_before_accept,
    "/mistakes/text-and-bytes/": text_and_bytes,
    "/mistakes/text-data/": text_data,
    "/mistakes/close-1003/": close_1003,
    "/mistakes/ignores-disconnect/": ignores_disconnect,
    "/mistakes/unoffered-subprotocol/": unoffered_subprotocol,
}
