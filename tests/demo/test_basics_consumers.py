"""basics.consumers: the echo consumers and the SSE ticker, on the real ASGI stack."""

import json
import time

import pytest
from channels.testing import HttpCommunicator

from basics.consumers import AsyncEchoConsumer, SyncEchoConsumer, parse_ticker_query
from config.asgi import application

ECHOES = [("/ws/echo/sync/", "sync echo: "), ("/ws/echo/async/", "async echo: ")]

# WebSocket consumers close stale database connections in a worker thread (a sync
# consumer around every handler, any consumer on disconnect); for pytest-django that is
# database access, refused without this mark once an earlier test left a connection open.
uses_db_thread = pytest.mark.django_db(transaction=True)


@uses_db_thread
@pytest.mark.parametrize(("path", "prefix"), ECHOES)
async def test_echo_consumers_echo_text_with_their_prefix_and_bytes_as_is(ws, path, prefix):
    communicator = ws(path)
    connected, _ = await communicator.connect()
    assert connected

    await communicator.send_to(text_data="hello")
    assert await communicator.receive_from() == prefix + "hello"
    await communicator.send_to(bytes_data=b"\x00\x01")
    assert await communicator.receive_from() == b"\x00\x01"
    assert await communicator.receive_nothing()


@uses_db_thread
@pytest.mark.parametrize("consumer", [SyncEchoConsumer, AsyncEchoConsumer])
async def test_echo_consumers_work_without_the_router(ws, consumer):
    # Straight to the consumer: no Origin check, no url_route.
    communicator = ws("/anything/", headers=[], app=consumer.as_asgi())
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_to(text_data="hi")
    assert (await communicator.receive_from()).endswith("echo: hi")


@uses_db_thread
@pytest.mark.parametrize(
    "headers",
    [[(b"origin", b"http://evil.example")], [], [(b"origin", b"http://localhost.evil.example")]],
    ids=["foreign-origin", "no-origin", "lookalike-origin"],
)
@pytest.mark.parametrize("path", [path for path, _ in ECHOES])
async def test_websocket_from_a_foreign_origin_is_rejected(ws, path, headers):
    communicator = ws(path, headers=headers)
    connected, _ = await communicator.connect()
    assert not connected


def events(body):
    """The JSON payloads of a text/event-stream body."""
    chunks = body.decode().split("\n\n")
    assert chunks[-1] == "", f"stream does not end with a blank line: {body!r}"
    return [json.loads(chunk.removeprefix("data: ")) for chunk in chunks[:-1]]


async def get(path):
    communicator = HttpCommunicator(application, "GET", path)
    response = await communicator.get_response(timeout=3)
    await communicator.wait()
    return response


async def test_ticker_defaults_to_three_events():
    response = await get("/sse/ticker/")
    assert response["status"] == 200
    assert (b"content-type", b"text/event-stream") in response["headers"]
    assert events(response["body"]) == [{"n": 1}, {"n": 2}, {"n": 3}]


async def test_ticker_streams_each_event_as_its_own_body_chunk():
    communicator = HttpCommunicator(application, "GET", "/sse/ticker/?count=2&interval=0")
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output()
    first = await communicator.receive_output()
    second = await communicator.receive_output()
    last = await communicator.receive_output()
    await communicator.wait()

    assert start["status"] == 200
    assert first == {"type": "http.response.body", "body": b'data: {"n": 1}\n\n', "more_body": True}
    assert second["body"] == b'data: {"n": 2}\n\n'
    assert second["more_body"] is True
    assert last["body"] == b""
    assert not last.get("more_body", False)


async def test_ticker_honours_count_and_interval():
    started = time.monotonic()
    response = await get("/sse/ticker/?count=4&interval=0.1")
    elapsed = time.monotonic() - started

    assert events(response["body"]) == [{"n": n} for n in range(1, 5)]
    assert 0.3 <= elapsed < 2, f"4 events 0.1 s apart took {elapsed:.2f} s"


async def test_ticker_accepts_the_bounds():
    response = await get("/sse/ticker/?count=100&interval=0")
    assert len(events(response["body"])) == 100
    assert parse_ticker_query(b"count=1&interval=5") == (1, 5.0)


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("count=0", "count=0"),
        ("count=101", "count=101"),
        ("count=abc", "count='abc'"),
        ("count=2.5", "count='2.5'"),
        ("interval=-1", "interval=-1"),
        ("interval=5.5", "interval=5.5"),
        ("interval=nan", "interval=nan"),
        ("interval=inf", "interval=inf"),
        ("interval=soon", "interval='soon'"),
    ],
)
async def test_ticker_rejects_bad_values_with_a_400_that_says_what_is_allowed(query, named):
    response = await get(f"/sse/ticker/?{query}")
    assert response["status"] == 400
    assert (b"content-type", b"text/plain; charset=utf-8") in response["headers"]
    text = response["body"].decode()
    assert named in text
    assert "from 1 to 100" in text
    assert "from 0 to 5" in text
