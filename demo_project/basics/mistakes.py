"""Classic ASGI mistakes, made on purpose: lesson 01 serves them under daphne.

daphne imports the app it serves ("basics.mistakes:body_before_start"), so an app
written in a notebook cell cannot be served; the broken ones live here instead.
"""


async def body_before_start(scope, receive, send):
    """Send the body without starting the response: daphne raises ValueError, answers 500."""
    if scope["type"] != "http":
        raise ValueError(f"body_before_start handles http, not {scope['type']!r}")
    await receive()  # the request
    # The mistake: http.response.start (status, headers) must come first.
    await send({"type": "http.response.body", "body": b"Hello?"})
