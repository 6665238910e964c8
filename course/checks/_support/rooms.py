"""What checks of room consumers share: the student's consumer behind a URLRouter, a fresh
InMemoryChannelLayer for the length of the check, and WebsocketCommunicators as its clients.

A check runs on an event loop of its own, in a worker thread (course/checking/runner.py),
while the kernel's own layer holds asyncio queues bound to the kernel's event loop: so the
fresh layer is made inside the check, and the kernel's layer is put back when it ends.
Channels is imported inside the functions: importing it costs the kernel a second.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from course.checking.model import Fail, expect

if TYPE_CHECKING:
    from channels.testing import WebsocketCommunicator

QUIET = 0.1  # seconds without a frame after which a client has received all it will
CONNECT_TIMEOUT = 0.5


class Room:
    """The student's consumer routed at ``route``, a fresh layer, and the clients it has had.

    A subclass says what to tell a student whose consumer does not accept: ``NOT_ANSWERED``
    ends the sentence "... neither accepted nor closed within 0.5 s: ", ``REFUSED`` ends
    "... and the consumer closed it (code 1000)".
    """

    NOT_ANSWERED = "call await self.accept() in connect()."
    REFUSED = "."

    def __init__(self, consumer: Any, name: str, base: type, route: str) -> None:
        from channels.layers import InMemoryChannelLayer

        expect(
            isinstance(consumer, type) and issubclass(consumer, base),
            f"{name} is {consumer!r}, not a consumer class: write "
            f"`class {name}(AsyncJsonWebsocketConsumer):`.",
        )
        self.route = route
        self.consumer = consumer
        self.layer = InMemoryChannelLayer()
        self.clients: list[WebsocketCommunicator] = []

    def explain(self, error: Exception) -> Exception:
        """A better error for what a check raised, naming a cause its symptom hides; by
        default ``error`` itself. A subclass looks at what it recorded."""
        return error

    def app(self, consumer: Any = None) -> Any:
        """A URLRouter that sends ``route`` to ``consumer`` (by default the student's)."""
        from channels.routing import URLRouter
        from django.urls import path

        return URLRouter([path(self.route, (consumer or self.consumer).as_asgi())])

    async def connect(self, who: str, where: str, consumer: Any = None) -> WebsocketCommunicator:
        """``who`` opens ``where``; Fail unless the consumer accepts."""
        from channels.testing import WebsocketCommunicator

        client = WebsocketCommunicator(self.app(consumer), where)
        self.clients.append(client)
        try:
            accepted, code = await client.connect(timeout=CONNECT_TIMEOUT)
        except TimeoutError:
            raise Fail(
                f"{who} opened {where} and the consumer neither accepted nor closed within "
                f"{CONNECT_TIMEOUT} s: {self.NOT_ANSWERED}"
            ) from None
        expect(
            accepted, f"{who} opened {where} and the consumer closed it (code {code}){self.REFUSED}"
        )
        return client

    async def close(self) -> None:
        """Stop every consumer still running; read the errors of those that crashed."""
        running = [c.future for c in self.clients if c._future is not None]
        for future in running:
            future.cancel()
        if running:  # a bounded wait: a consumer that swallows CancelledError is left behind
            await asyncio.wait(running, timeout=0.2)
        # Read each crash, so that asyncio does not log "exception was never retrieved".
        _ = [f.exception() for f in running if f.done() and not f.cancelled()]


AnyRoom = TypeVar("AnyRoom", bound=Room)


@contextlib.contextmanager
def as_default_layer(layer: Any) -> Iterator[None]:
    """``layer`` as the default channel layer until the block ends; then the kernel's again.

    Why swap the default layer, rather than give the consumer a layer alias of its own: a
    student may reach the layer by ``get_channel_layer()`` as well as by self.channel_layer
    (lesson 06 shows both), and only the default alias serves both. The swap is seen by the
    kernel's thread too, but that thread waits in run_check for the check to end.
    """
    from channels import DEFAULT_CHANNEL_LAYER
    from channels.layers import channel_layers

    previous = channel_layers.set(DEFAULT_CHANNEL_LAYER, layer)
    try:
        yield
    finally:
        if previous is None:
            channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
        else:
            channel_layers.set(DEFAULT_CHANNEL_LAYER, previous)


@contextlib.asynccontextmanager
async def opened(room: AnyRoom) -> AsyncIterator[AnyRoom]:
    """``room`` with its fresh layer as the default one until the block ends, then closed.
    What the block raises goes through ``room.explain``."""
    try:
        with as_default_layer(room.layer):
            yield room
    except Exception as error:
        better = room.explain(error)
        if better is error:
            raise
        raise better from None
    finally:  # the kernel's layer is back first: nothing in close() may stop that
        await room.close()


def crashed(client: WebsocketCommunicator) -> None:
    """If the consumer behind ``client`` crashed, raise its error."""
    if client.future.done() and not client.future.cancelled():
        client.future.result()


__all__ = ["CONNECT_TIMEOUT", "QUIET", "Room", "crashed", "opened"]
