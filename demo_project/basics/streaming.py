"""A raw ASGI app for lesson 02: uploads in pieces, streamed answers, and disconnects.

Serve it with ``daphne basics.streaming:app`` (the lesson uses ``course.serve``):

- ``/upload``                       read every http.request; answer the size of each piece
- ``/stream?parts=N&interval=S``    N pieces of body, S seconds apart; stop if the client leaves
- ``/scope``                        the scope itself, as Python writes it (``repr``)
- ``/mistakes/...``                 the classic mistakes of ``basics.mistakes``, wrong on purpose
"""

import asyncio
import json
from urllib.parse import parse_qs

from basics import mistakes

MAX_PARTS = 100
MAX_INTERVAL = 5.0
TEXT = [(b"content-type", b"text/plain; charset=utf-8")]


async def app(scope, receive, send):
    """Dispatch on the path; like every raw app, refuse scope types it does not know."""
    if scope["type"] != "http":
        raise ValueError(f"basics.streaming.app handles http only, not {scope['type']!r}")
    if scope["path"] == "/upload":
        await upload(scope, receive, send)
    elif scope["path"] == "/stream":
        await stream(scope, receive, send)
    elif scope["path"] in mistakes.ROUTES:
        await mistakes.ROUTES[scope["path"]](scope, receive, send)
    elif scope["path"] == "/scope":
        await read_body(receive)
        await answer(send, 200, f"{scope!r}\n".encode(), TEXT)
    else:
        await read_body(receive)
        await answer(send, 404, b"Try /upload, /stream, /scope or /mistakes/...\n", TEXT)


async def read_body(receive):
    """Every piece of the request body, in order; None if the client left first."""
    pieces = []
    more_body = True
    while more_body:  # the body is never in the scope: it comes in http.request events
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        pieces.append(message.get("body", b""))
        more_body = message.get("more_body", False)
    return pieces


async def answer(send, status, body, headers):
    """A whole response: http.response.start, then one http.response.body."""
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def upload(scope, receive, send):
    """Answer how the body arrived: the size of each http.request's piece."""
    pieces = await read_body(receive)
    if pieces is None:
        return  # the client went away: nobody is left to answer
    sizes = [len(piece) for piece in pieces]
    report = {"pieces": sizes, "bytes": sum(sizes)}
    await answer(send, 200, json.dumps(report).encode(), [(b"content-type", b"application/json")])


def stream_options(query_string):
    """(parts, interval) from ``?parts=N&interval=S``; ValueError when out of range."""
    query = parse_qs(query_string.decode("latin-1"))
    parts = int(query.get("parts", ["3"])[-1])
    interval = float(query.get("interval", ["0.1"])[-1])
    if not (1 <= parts <= MAX_PARTS and 0 <= interval <= MAX_INTERVAL):
        raise ValueError(f"parts is 1 to {MAX_PARTS}, interval 0 to {MAX_INTERVAL:g} seconds")
    return parts, interval


async def stream(scope, receive, send):
    """Send the body in pieces (more_body=True), and stop early if the client disconnects."""
    if await read_body(receive) is None:
        return
    try:
        parts, interval = stream_options(scope["query_string"])
    except ValueError as error:
        await answer(send, 400, f"{error}\n".encode(), TEXT)
        return

    # After the body, the only event left to receive is http.disconnect: wait for it
    # beside the streaming, so the app hears it while it is busy sending.
    gone = asyncio.Event()

    async def watch():
        if (await receive())["type"] == "http.disconnect":
            gone.set()

    watcher = asyncio.ensure_future(watch())
    try:
        await send({"type": "http.response.start", "status": 200, "headers": TEXT})
        for n in range(1, parts + 1):
            part = f"part {n}\n".encode()
            await send({"type": "http.response.body", "body": part, "more_body": True})
            try:  # sleep for the interval, but wake at once if the client leaves
                await asyncio.wait_for(gone.wait(), interval)
                return  # the client left: stop streaming, nobody is reading
            except TimeoutError:
                pass
        # An empty last body without more_body ends the response.
        await send({"type": "http.response.body", "body": b""})
    finally:
        watcher.cancel()
