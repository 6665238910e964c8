"""The demo project plus a lifespan handler: what uvicorn runs at startup and shutdown.

``config.asgi.application`` has no "lifespan" entry, so its ProtocolTypeRouter raises
ValueError on a lifespan scope; uvicorn then logs the error (lesson 12, pain point 11).
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
