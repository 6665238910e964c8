"""Classic HTTP mistakes, wrong on purpose, for lessons 01 and 02 to serve under daphne.

What these mistakes do shows only under a real server, and daphne serves only an app it can
import, so they live here rather than in a cell. Lesson 01 serves ``body_before_start``
on its own ("basics.mistakes:body_before_start"); ``basics.streaming.app`` serves the
rest, so lesson 02 needs one server:

- ``/mistakes/str-headers``      headers as str: daphne refuses them, the client gets a 500
- ``/mistakes/bytes-headers``    the fix: header names and values are bytes
- ``/mistakes/send-after-end``   a body after the response ended: daphne drops it silently
"""


async def body_before_start(scope, receive, send):
    """Send the body without starting the response: daphne raises ValueError, answers 500."""
    if scope["type"] != "http":
        raise ValueError(f"body_before_start handles http, not {scope['type']!r}")
    await receive()  # the request
    # The mistake: http.response.start (status, headers) must come first.
    await send({"type": "http.response.body", "body": b"Hello?"})


async def str_headers(scope, receive, send):
    """Wrong: header names and values must be bytes."""
    await receive()
    headers = [("content-type", "text/plain")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"Hello"})


async def bytes_headers(scope, receive, send):
    """The fix: encode header names and values."""
    await receive()
    headers = [(b"content-type", b"text/plain")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"Hello"})


async def send_after_end(scope, receive, send):
    """Wrong: the first body has no more_body, so it ends the response; the second is lost."""
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"first "})
    await send({"type": "http.response.body", "body": b"second"})


ROUTES = {
    "/mistakes/str-headers": str_headers,
    "/mistakes/bytes-headers": bytes_headers,
    "/mistakes/send-after-end": send_after_end,
}


async def app(scope, receive, send):
    """Dispatch on the path; refuse scope types other than http."""
    if scope["type"] != "http":
        raise ValueError(f"basics.mistakes.app handles http only, not {scope['type']!r}")
    route = ROUTES.get(scope["path"])
    if route is None:
        await receive()
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b"Try " + ", ".join(ROUTES).encode()})
        return
    await route(scope, receive, send)
