"""basics.revproxy: nginx's defaults break a WebSocket handshake; passing Upgrade on fixes it."""

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from basics.revproxy import ReverseProxy, forwarded_head
from course.live.servers import serve

HANDSHAKE = (
    b"GET /echo/ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Keep-Alive: 5\r\nSec-WebSocket-Key: k\r\n\r\n"
)


def test_by_default_hop_by_hop_headers_are_dropped_and_http_1_0_is_spoken():
    head, kept = forwarded_head(HANDSHAKE, websockets=False)
    assert head.startswith(b"GET /echo/ HTTP/1.0\r\n")
    assert kept == [("Host", "x"), ("Sec-WebSocket-Key", "k"), ("Connection", "close")]


def test_with_websockets_upgrade_and_connection_are_passed_on_over_http_1_1():
    head, kept = forwarded_head(HANDSHAKE, websockets=True)
    assert head.startswith(b"GET /echo/ HTTP/1.1\r\n")
    assert kept[-2:] == [("Upgrade", "websocket"), ("Connection", "upgrade")]
    assert ("Keep-Alive", "5") not in kept


def test_a_plain_request_stays_plain_even_with_websockets_on():
    head, _ = forwarded_head(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", websockets=True)
    assert head == b"GET / HTTP/1.0\r\nHost: x\r\nConnection: close\r\n\r\n"


@pytest.mark.slow
async def test_through_daphne_a_websocket_needs_the_upgrade_headers():
    # The upstream serves basics.raw: HTTP hello, WebSocket echo.
    server = serve("basics.raw:app", name="test-revproxy")
    naive = await ReverseProxy(server.port).start()
    proxy = await ReverseProxy(server.port, websockets=True).start()
    try:
        async with httpx.AsyncClient() as client:
            response = await client.post(naive.url + "hello", content=b"abc")
        assert response.text.startswith("Hello, ASGI! You asked for POST /hello (3 bytes")
        with pytest.raises(InvalidStatus) as refused:
            await connect(naive.ws_url("echo/"))
        assert refused.value.response.status_code == 200  # basics.raw answered a plain GET
        async with connect(proxy.ws_url("echo/")) as ws:
            await ws.send("through")
            assert await ws.recv() == "through"
    finally:
        await naive.stop()
        await proxy.stop()
        server.stop()
