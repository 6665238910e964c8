"""basics.raw.app: the hand-written ASGI app, driven with hand-written events."""

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.testing import WebsocketCommunicator

from basics.raw import app
from course.scopes import http_scope


async def test_http_says_hello_with_method_and_path():
    communicator = ApplicationCommunicator(app, http_scope("/hello"))
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await communicator.receive_output()
    body = await communicator.receive_output()
    await communicator.wait()

    assert start["type"] == "http.response.start"
    assert start["status"] == 200
    assert (b"content-type", b"text/plain; charset=utf-8") in start["headers"]
    assert body["type"] == "http.response.body"
    assert body["body"].startswith(b"Hello, ASGI! You asked for GET /hello")
    assert not body.get("more_body", False)


async def test_http_reads_a_chunked_body_before_answering():
    communicator = ApplicationCommunicator(app, http_scope("/upload", method="POST"))
    await communicator.send_input({"type": "http.request", "body": b"abc", "more_body": True})
    # more_body=True: the app must keep reading, not answer yet.
    assert await communicator.receive_nothing()
    await communicator.send_input({"type": "http.request", "body": b"de", "more_body": False})
    start = await communicator.receive_output()
    body = await communicator.receive_output()
    await communicator.wait()

    assert start["status"] == 200
    assert b"POST /upload (5 bytes of body)" in body["body"]


async def test_http_disconnect_during_the_body_ends_without_a_response():
    communicator = ApplicationCommunicator(app, http_scope("/upload", method="POST"))
    await communicator.send_input({"type": "http.request", "body": b"abc", "more_body": True})
    await communicator.send_input({"type": "http.disconnect"})
    # wait() re-raises what the app raised, but swallows its own timeout: it cancels a
    # still-running app and returns. So check the app ended by itself.
    await communicator.wait()
    assert not communicator.future.cancelled(), "the app did not finish after the disconnect"

    assert communicator.output_queue.empty()


async def test_websocket_accepts_and_echoes_text_and_bytes():
    communicator = WebsocketCommunicator(app, "/echo")
    connected, _ = await communicator.connect()
    assert connected

    await communicator.send_to(text_data="hello")
    assert await communicator.receive_from() == "hello"
    await communicator.send_to(bytes_data=b"\x00\xff")
    assert await communicator.receive_from() == b"\x00\xff"

    await communicator.disconnect()


async def test_lifespan_completes_startup_and_shutdown():
    communicator = ApplicationCommunicator(app, {"type": "lifespan", "asgi": {"version": "3.0"}})
    await communicator.send_input({"type": "lifespan.startup"})
    assert await communicator.receive_output() == {"type": "lifespan.startup.complete"}
    await communicator.send_input({"type": "lifespan.shutdown"})
    assert await communicator.receive_output() == {"type": "lifespan.shutdown.complete"}
    await communicator.wait()


async def test_unknown_scope_type_raises_a_clear_error():
    async def receive():
        raise AssertionError("the app should fail before it receives anything")

    async def send(message):
        raise AssertionError(f"the app should not send {message!r}")

    with pytest.raises(ValueError, match=r"not 'chat'"):
        await app({"type": "chat"}, receive, send)
