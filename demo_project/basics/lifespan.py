"""The demo project plus a lifespan handler: what uvicorn runs at startup and shutdown.

``config.asgi.application`` has no "lifespan" entry, so its ProtocolTypeRouter raises
ValueError on a lifespan scope; uvicorn then logs the error (lesson 13, pain point 11).
Here the same routes get a handler of their own. daphne never calls it: daphne sends
no lifespan scope at all.
"""

import time

from channels.routing import ProtocolTypeRouter

from config.asgi import application as demo


async def lifespan(scope, receive, send):
    """Log startup and shutdown; what startup puts in scope["state"] reaches every request."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            # Open pools, warm caches, ... here. The server copies this dict into the
            # "state" of each connection's scope (uvicorn does; daphne has no lifespan).
            scope["state"]["started_at"] = time.time()
            print("lifespan: startup, resources ready", flush=True)
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            print("lifespan: shutdown, resources closed", flush=True)
            await send({"type": "lifespan.shutdown.complete"})
            return


# The demo's own routes, plus the one entry it lacks.
application = ProtocolTypeRouter({**demo.application_mapping, "lifespan": lifespan})


async def refuses_to_start(scope, receive, send):
    """A lifespan handler whose startup fails: it answers lifespan.startup.failed."""
    message = await receive()
    assert message["type"] == "lifespan.startup"
    print("lifespan: startup, the database is unreachable", flush=True)
    await send({"type": "lifespan.startup.failed", "message": "no database, no service"})


async def fails_to_shut_down(scope, receive, send):
    """A lifespan handler that starts, then answers lifespan.shutdown.failed."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            print("lifespan: shutdown, a pool would not close", flush=True)
            await send({"type": "lifespan.shutdown.failed", "message": "pool still busy"})
            return


# The same routes with a handler that fails at startup, and one that fails at shutdown.
fails_at_startup = ProtocolTypeRouter({**demo.application_mapping, "lifespan": refuses_to_start})
fails_at_shutdown = ProtocolTypeRouter({**demo.application_mapping, "lifespan": fails_to_shut_down})
