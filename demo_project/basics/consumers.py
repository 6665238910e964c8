"""Echo consumers (sync and async) and a server-sent-events ticker."""

import asyncio
import json
import math
from urllib.parse import parse_qs

from channels.generic.http import AsyncHttpConsumer
from channels.generic.websocket import AsyncWebsocketConsumer, WebsocketConsumer


class SyncEchoConsumer(WebsocketConsumer):
    """Echo each frame back; text gets a ``sync echo: `` prefix. Runs in a worker thread."""

    def receive(self, text_data=None, bytes_data=None):
        """Called with each frame's text or bytes."""
        if text_data is not None:
            self.send(text_data=f"sync echo: {text_data}")
        else:
            self.send(bytes_data=bytes_data)


class AsyncEchoConsumer(AsyncWebsocketConsumer):
    """Echo each frame back; text gets an ``async echo: `` prefix. Runs on the event loop."""

    async def receive(self, text_data=None, bytes_data=None):
        """Called with each frame's text or bytes."""
        if text_data is not None:
            await self.send(text_data=f"async echo: {text_data}")
        else:
            await self.send(bytes_data=bytes_data)


TICKER_DEFAULTS = {"count": 3, "interval": 0.1}
MAX_COUNT = 100
MAX_INTERVAL = 5.0
USAGE = (
    f"Use ?count=N&interval=S with N a whole number from 1 to {MAX_COUNT} "
    f"and S seconds from 0 to {MAX_INTERVAL:g}, e.g. ?count=3&interval=0.1"
)


def parse_ticker_query(query_string):
    """Return (count, interval) from a raw query string; raise ValueError if out of range."""
    query = parse_qs(query_string.decode("latin-1"))
    raw_count = query.get("count", [str(TICKER_DEFAULTS["count"])])[-1]
    raw_interval = query.get("interval", [str(TICKER_DEFAULTS["interval"])])[-1]
    try:
        count = int(raw_count)
    except ValueError:
        raise ValueError(f"count={raw_count!r} is not a whole number. {USAGE}") from None
    try:
        interval = float(raw_interval)
    except ValueError:
        raise ValueError(f"interval={raw_interval!r} is not a number. {USAGE}") from None
    if not 1 <= count <= MAX_COUNT:
        raise ValueError(f"count={count} is out of range. {USAGE}")
    # isfinite: float() happily parses "nan" and "inf".
    if not (math.isfinite(interval) and 0 <= interval <= MAX_INTERVAL):
        raise ValueError(f"interval={raw_interval} is out of range. {USAGE}")
    return count, interval


class TickerConsumer(AsyncHttpConsumer):
    """Stream ``count`` server-sent events, ``interval`` seconds apart: GET /sse/ticker/."""

    async def handle(self, body):
        """Called once the whole request body has arrived."""
        try:
            count, interval = parse_ticker_query(self.scope["query_string"])
        except ValueError as error:
            await self.send_response(
                400,
                f"{error}\n".encode(),
                headers=[(b"content-type", b"text/plain; charset=utf-8")],
            )
            return

        await self.send_headers(
            headers=[(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]
        )
        for n in range(1, count + 1):
            # more_body=True: the response stays open, the client sees each event now.
            event = f"data: {json.dumps({'n': n})}\n\n"
            await self.send_body(event.encode(), more_body=True)
            if n < count:
                await asyncio.sleep(interval)
        # An empty last body (more_body=False) ends the response.
        await self.send_body(b"")
