"""basics.ws_raw: the raw WebSocket apps of lesson 03, driven in-process.

What daphne does with the mistakes (HTTP 500, close 1011, silence, a stuck handshake, a
killed app) is shown live by the lesson notebook; here each app is held to what it sends.
"""

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.testing import WebsocketCommunicator

from basics import ws_raw
from basics.ws_raw import app
from course.checks._support.websocket import websocket_scope


async def test_echo_accepts_a_subprotocol_it_speaks_and_echoes_text_and_bytes():
    client = WebsocketCommunicator(app, "/echo/", subprotocols=["chat.v2", "echo.v1"])
    assert await client.connect() == (True, "echo.v1")

    await client.send_to(text_data="hello")
    assert await client.receive_from() == "hello"
    await client.send_to(bytes_data=b"\x00\xff")
    assert await client.receive_from() == b"\x00\xff"

    await client.disconnect()  # raises if the app did not return


async def test_echo_accepts_with_no_subprotocol_when_none_fits():
    client = WebsocketCommunicator(app, "/echo/", subprotocols=["chat.v2"])
    assert await client.connect() == (True, None)
    await client.disconnect()


async def test_echo_closes_with_its_own_code_and_a_reason_on_bye():
    client = WebsocketCommunicator(app, "/echo/")
    await client.connect()
    await client.send_to(text_data="bye")

    assert await client.receive_output() == {
        "type": "websocket.close",
        "code": 4000,
        "reason": "see you",
    }
    await client.disconnect(code=4000)


@pytest.mark.parametrize("path", ["/deny/", "/no/such/path/"])
async def test_deny_closes_before_accepting(path):
    client = WebsocketCommunicator(app, path)
    assert await client.connect() == (False, 4003)


async def test_deny_writes_its_own_403_when_the_server_offers_the_extension():
    scope = {**websocket_scope("/deny/"), "extensions": {"websocket.http.response": {}}}
    server = ApplicationCommunicator(app, scope)
    await server.send_input({"type": "websocket.connect"})

    start = await server.receive_output()
    body = await server.receive_output()
    await server.wait()

    assert start["type"] == "websocket.http.response.start"
    assert start["status"] == 403
    assert body == {"type": "websocket.http.response.body", "body": b"Not here.\n"}


async def test_greet_and_text_then_bytes_accept_first():
    client = WebsocketCommunicator(app, "/greet/")
    await client.connect()
    assert await client.receive_from() == "welcome!"
    await client.disconnect()

    client = WebsocketCommunicator(app, "/text-then-bytes/")
    await client.connect()
    assert await client.receive_from() == "a tiny picture:"
    assert await client.receive_from() == b"\x89PNG\r\n"
    await client.disconnect()


async def first_messages(path, frames=(), count=2):
    """Connect to ``path`` by hand, send ``frames``, return the first ``count`` messages out."""
    server = ApplicationCommunicator(app, websocket_scope(path))
    await server.send_input({"type": "websocket.connect"})
    for frame in frames:
        await server.send_input({"type": "websocket.receive", "text": frame})
    sent = [await server.receive_output() for _ in range(count)]
    await server.send_input({"type": "websocket.disconnect", "code": 1000})
    return server, sent


@pytest.mark.parametrize(
    ("path", "frames", "mistake"),
    [
        ("/mistakes/greet-before-accept/", (), {"type": "websocket.send", "text": "welcome!"}),
        (
            "/mistakes/text-and-bytes/",
            (),
            {"type": "websocket.send", "text": "a tiny picture:", "bytes": b"\x89PNG\r\n"},
        ),
        ("/mistakes/text-data/", (), {"type": "websocket.send", "text_data": "welcome!"}),
        (
            "/mistakes/close-1003/",
            ("hi",),
            {"type": "websocket.close", "code": 1003, "reason": "text only"},
        ),
        (
            "/mistakes/unoffered-subprotocol/",
            (),
            {"type": "websocket.accept", "subprotocol": "echo.v1"},
        ),
    ],
    ids=["greet-before-accept", "text-and-bytes", "text-data", "close-1003", "unoffered"],
)
async def test_each_mistake_sends_its_mistake_and_returns_on_disconnect(path, frames, mistake):
    server, sent = await first_messages(path, frames, count=1 if "unoffered" in path else 2)

    assert mistake in sent
    await server.wait()  # cancels the app if it has not returned within a second
    assert not server.future.cancelled(), "the app did not return after websocket.disconnect"


async def test_ignores_disconnect_really_ignores_it():
    server, sent = await first_messages("/mistakes/ignores-disconnect/", ("anyone?",))

    assert sent[1] == {"type": "websocket.send", "text": "anyone?"}
    assert await server.receive_nothing(timeout=0.2)
    assert not server.future.done()  # still waiting for a message after the disconnect
    await server.wait(timeout=0)


async def test_http_goes_to_basics_raw():
    server = ApplicationCommunicator(app, {"type": "http", "method": "GET", "path": "/hello"})
    await server.send_input({"type": "http.request", "body": b""})
    start = await server.receive_output()
    body = await server.receive_output()

    assert start["status"] == 200
    assert body["body"].startswith(b"Hello, ASGI! You asked for GET /hello")


def test_every_route_is_an_app_of_this_module():
    assert all(getattr(ws_raw, handler.__name__) is handler for handler in ws_raw.ROUTES.values())
