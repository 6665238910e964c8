"""An ASGI app module that takes far too long to import: for the startup timeout test."""

import time

time.sleep(30)


async def application(scope, receive, send):
    """Never reached in the tests."""
