"""basics.streaming and basics.mistakes: uploads and answers in pieces, disconnects, and
the classic mistakes, in-process and under a real daphne."""

import json
import time

import httpx
import pytest
from asgiref.testing import ApplicationCommunicator

from basics import mistakes, streaming
from course.live.servers import serve
from course.scopes import http_scope
from course.tracing import call


def request(body=b"", more_body=False):
    return {"type": "http.request", "body": body, "more_body": more_body}


async def test_upload_reports_the_size_of_each_piece():
    pieces = [request(b"abc", True), request(b"de", True), request(b"")]
    conn = await call(streaming.app, http_scope("/upload", method="POST"), pieces)
    start, body = conn.messages(direction="send")

    assert start["status"] == 200
    assert [b"content-length", str(len(body["body"])).encode()] in start[
        "headers"
    ]  # a trace keeps lists
    assert json.loads(body["body"]) == {"pieces": [3, 2, 0], "bytes": 5}


async def test_upload_waits_for_the_last_piece_before_answering():
    communicator = ApplicationCommunicator(streaming.app, http_scope("/upload", method="POST"))
    await communicator.send_input(request(b"abc", True))
    assert await communicator.receive_nothing()  # more_body=True: keep reading
    await communicator.send_input(request(b"de"))
    assert (await communicator.receive_output())["status"] == 200
    assert json.loads((await communicator.receive_output())["body"])["bytes"] == 5
    await communicator.wait()


async def test_upload_abandoned_by_the_client_gets_no_answer():
    messages = [request(b"abc", True), {"type": "http.disconnect"}]
    conn = await call(streaming.app, http_scope("/upload", method="POST"), messages)

    assert conn.messages(direction="send") == []
    assert conn.error is None


async def test_stream_sends_each_part_in_its_own_body_then_ends():
    conn = await call(streaming.app, http_scope("/stream?parts=3&interval=0"))
    sent = conn.messages(direction="send")

    assert [m["type"] for m in sent] == ["http.response.start"] + ["http.response.body"] * 4
    assert [m["body"] for m in sent[1:]] == [b"part 1\n", b"part 2\n", b"part 3\n", b""]
    assert [m.get("more_body", False) for m in sent[1:]] == [True, True, True, False]
    assert conn.error is None


async def test_stream_stops_when_the_client_disconnects():
    messages = [request(), {"type": "http.disconnect"}]
    conn = await call(streaming.app, http_scope("/stream?parts=50&interval=1"), messages)

    assert conn.ended is not None and conn.ended < 0.5  # not 50 parts of 1 s
    assert [m["body"] for m in conn.messages("http.response.body")] == [b"part 1\n"]
    assert conn.messages("http.disconnect")


@pytest.mark.parametrize("query", ["parts=0", "parts=101", "interval=9", "interval=-1"])
async def test_stream_refuses_options_out_of_range(query):
    conn = await call(streaming.app, http_scope(f"/stream?{query}"))
    start, body = conn.messages(direction="send")

    assert start["status"] == 400
    assert b"parts is 1 to 100" in body["body"]


async def test_scope_answers_with_the_scope_itself():
    conn = await call(streaming.app, http_scope("/scope?filter=active"))
    text = conn.messages("http.response.body")[0]["body"].decode()

    assert text.startswith("{'type': 'http'")
    assert "'query_string': b'filter=active'" in text


async def test_unknown_path_is_404_and_other_scope_types_raise():
    conn = await call(streaming.app, http_scope("/nope"))
    assert conn.messages("http.response.start")[0]["status"] == 404
    with pytest.raises(ValueError, match="http only, not 'websocket'"):
        await call(streaming.app, {"type": "websocket", "path": "/"})


async def test_mistakes_are_served_by_the_streaming_app_too():
    for path in mistakes.ROUTES:
        conn = await call(streaming.app, http_scope(path))
        assert conn.messages("http.response.start"), path
    conn = await call(mistakes.app, http_scope("/mistakes/nope"))
    assert conn.messages("http.response.start")[0]["status"] == 404


async def test_the_mistakes_are_the_mistakes_they_claim_to_be():
    conn = await call(mistakes.str_headers, http_scope("/"))
    assert conn.messages("http.response.start")[0]["headers"] == [["content-type", "text/plain"]]
    conn = await call(mistakes.send_after_end, http_scope("/"))
    bodies = conn.messages("http.response.body")
    assert [b.get("more_body", False) for b in bodies] == [False, False]  # the first ends it


@pytest.mark.slow
async def test_under_daphne_pieces_streams_disconnects_and_str_headers():
    async def pieces():
        for n in range(4):
            yield bytes([ord("a") + n]) * 5000

    with serve("basics.streaming:app", name="test-streaming", trace=True) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
            # daphne buffers the body and hands it over 8 KiB at a time.
            upload = await client.post("upload", content=pieces())
            assert upload.json() == {"pieces": [8192, 8192, 3616], "bytes": 20000}

            # Each part reaches the client as it is sent, not all at the end.
            start, seen = time.perf_counter(), []
            async with client.stream("GET", "stream?parts=3&interval=0.2") as response:
                async for chunk in response.aiter_raw():
                    seen.append((time.perf_counter() - start, chunk))
            assert b"".join(chunk for _, chunk in seen) == b"part 1\npart 2\npart 3\n"
            assert seen[0][0] < 0.15 and seen[-1][0] > 0.35

            # The client leaves after part 1: the app hears http.disconnect and stops.
            async with client.stream("GET", "stream?parts=20&interval=0.2") as response:
                async for _ in response.aiter_raw():
                    break
            left = server.trace(settle=2).last
            assert left.messages("http.disconnect")
            assert len(left.messages("http.response.body")) < 5

            assert (await client.get("mistakes/str-headers")).status_code == 500
            assert "expected to be `bytes`" in server.trace().last.error
            assert (await client.get("mistakes/send-after-end")).text == "first "
