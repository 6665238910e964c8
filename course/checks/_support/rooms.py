"""What checks of room consumers share: the student's consumer behind a URLRouter, a fresh
InMemoryChannelLayer for the length of the check, and WebsocketCommunicators as its clients.

A check runs on an event loop of its own, in a worker thread (course/checking/runner.py),
while the kernel's own layer holds asyncio queues bound to the kernel's event loop: so the
fresh layer is made inside the check, and the kernel's layer is put back when it ends.
Channels is imported inside the functions: importing it costs the kernel a second.

A room is read once it has settled: each consumer has handled all it was sent (by its client
and on its channel) and waits for more. Not after a quiet spell: on a busy machine a frame
can take longer than any spell (a handler first waits for a thread, the thread for a CPU).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

from course.checking.model import Fail, expect
from course.checking.runner import cpu_slack, cpu_wait

if TYPE_CHECKING:
    from channels.testing import WebsocketCommunicator

SETTLE = 1.0  # seconds a room may take to settle, CPU waits aside: only a stuck one takes them


class _Watch:
    """What one client's consumer awaits: its client's next event, its channel's next message."""

    asking, listening, channel = False, 0, ""


_WATCH: ContextVar[_Watch] = ContextVar("room_watch")  # set in each consumer's own task


class Room:
    """The student's consumer routed at ``route``, a fresh layer, and the clients it has had.

    A subclass says what to tell a student whose consumer does not accept: ``NOT_ANSWERED``
    ends the sentence "... neither accepted nor closed within 1 s: ", ``REFUSED`` ends
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
        plain = self.layer.receive

        async def receive(channel: str) -> Any:  # the consumer awaits its channel's next message
            watch = _WATCH.get(_Watch())
            watch.channel, watch.listening = channel, watch.listening + 1
            try:
                return await plain(channel)
            finally:
                watch.listening -= 1

        self.layer.receive = receive

    def explain(self, error: Exception) -> Exception:
        """A better error for what a check raised, naming a cause its symptom hides; by
        default ``error`` itself. A subclass looks at what it recorded."""
        return error

    def app(self, consumer: Any = None) -> Any:
        """A URLRouter that sends ``route`` to ``consumer`` (by default the student's)."""
        from channels.routing import URLRouter
        from django.urls import path

        return URLRouter([path(self.route, (consumer or self.consumer).as_asgi())])

    def client(self, where: str, consumer: Any = None) -> WebsocketCommunicator:
        """A client of ``where``, its consumer watched (``settled``), not yet connected."""
        from channels.testing import WebsocketCommunicator

        watch, app = _Watch(), self.app(consumer)

        async def watched(scope: Any, receive: Any, send: Any) -> None:
            async def asked() -> Any:  # the consumer awaits its client's next event
                watch.asking = True
                try:
                    return await receive()
                finally:
                    watch.asking = False

            _WATCH.set(watch)
            await app(scope, asked, send)

        client = WebsocketCommunicator(watched, where)
        client.watch = watch
        self.clients.append(client)
        return client

    async def connect(self, who: str, where: str, consumer: Any = None) -> WebsocketCommunicator:
        """``who`` opens ``where``; Fail unless the consumer accepts."""
        client = self.client(where, consumer)
        await client.send_input({"type": "websocket.connect"})
        within = "" if await self.settle() else f" within {SETTLE:g} s"
        crashed(client)
        said = f"{who} opened {where} and the consumer"
        answer = {} if client.output_queue.empty() else client.output_queue.get_nowait()
        expect(answer, f"{said} neither accepted nor closed{within}: {self.NOT_ANSWERED}")
        code = answer.get("code", 1000)
        expect(answer["type"] != "websocket.close", f"{said} closed it (code {code}){self.REFUSED}")
        expect(answer["type"] == "websocket.accept", f"{said} answered {answer}, not accept.")
        return client

    def settled(self, client: Any) -> bool:
        """Has this client's consumer ended, or handled all it was sent and waits for more?"""
        watch: _Watch = client.watch
        queued = self.layer.channels.get(watch.channel)  # a waiting receive keeps one, empty
        layer_done = watch.listening > 0 and (queued is None or queued.empty())
        waits = watch.asking and client.input_queue.empty() and layer_done
        return waits or client.future.done()

    async def settle(self) -> bool:
        """Wait until every consumer has settled (True), or SETTLE seconds have passed, not
        counting the time this process waited for a CPU (at most 10 × SETTLE of it)."""
        loop = asyncio.get_running_loop()
        start, waited = loop.time(), cpu_wait()
        while not all(map(self.settled, self.clients)):  # polled: puts, gets and thread hops
            slack = cpu_slack(waited, SETTLE)
            if loop.time() > start + SETTLE + slack:
                return False
            await asyncio.sleep(0.005)
        return True

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


def no_handler(error: BaseException, who: str, what: str, arg: str, advice: str) -> Fail | None:
    """Channels' "No handler for message type X", explained: the type names the method that
    handles it (``what`` is "group event" or "message", ``arg`` its parameter); or None."""
    if not (isinstance(error, ValueError) and "No handler for message type" in str(error)):
        return None
    kind = str(error).rsplit(" ", 1)[-1]
    return Fail(
        f"{who} crashed with ValueError: {error}. A {what}'s type names the method that handles "
        f"it, dots turned into underscores: {kind!r} calls {kind.replace('.', '_')}(self, "
        f"{arg}). {advice}"
    )


def crashed(client: WebsocketCommunicator) -> None:
    """If the consumer behind ``client`` crashed, raise its error."""
    if client.future.done() and not client.future.cancelled():
        client.future.result()


__all__ = ["SETTLE", "Room", "crashed", "no_handler", "opened"]
