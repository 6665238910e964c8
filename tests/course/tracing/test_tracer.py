"""The tracer in-process: raw apps called by hand, and the demo project through communicators."""

import asyncio
import logging
import re

import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.utils.functional import SimpleLazyObject

from config.asgi import application
from course.tracing import Connection, Trace, Tracer, call, subprocess_env, trace

ORIGIN = (b"origin", b"http://localhost")
HOST = (b"host", b"localhost")
HOSTILE = 'a;b#c:d"e<f>g\nh'


def http_scope(path="/", query=b"", headers=None):
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [[b"host", b"localhost"]] if headers is None else headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def hello_app(scope, receive, send):
    """uvicorn's README app, reading the whole body first."""
    assert scope["type"] == "http"
    body, more_body = b"", True
    while more_body:
        message = await receive()
        body += message.get("body", b"")
        more_body = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": [(b"x-n", b"1")]})
    await send({"type": "http.response.body", "body": b"hello " + body})


async def serve(app, scope, requests):
    """A server written by hand: hand out ``requests``, then block like a silent client."""
    pending, sent = list(requests), []

    async def receive():
        if pending:
            return pending.pop(0)
        await asyncio.Event().wait()  # after the body, receive() must block

    async def send(message):
        sent.append(message)

    await asyncio.wait_for(app(scope, receive, send), 2)
    return sent


REQUEST = [
    {"type": "http.request", "body": b"wor", "more_body": True},
    {"type": "http.request", "body": b"ld", "more_body": False},
]

# Django closes stale database connections in a worker thread at each request and
# Channels consumers do so around their handlers; pytest-django counts that as database
# access, refused without this mark once an earlier test left a connection open.
uses_db_thread = pytest.mark.django_db(transaction=True)

STATEMENT = re.compile(r"participant \w+( as .+)?|Note over \w+(,\w+)?: .+|\w+(->>|-x)\w+: .+")


def assert_valid_mermaid(text):
    """The statements Mermaid's sequence grammar accepts, text escaped with entity codes."""
    lines = text.split("\n")
    assert lines[0] == "sequenceDiagram"
    for line in lines[1:]:
        statement = line.strip()
        assert STATEMENT.fullmatch(statement), f"not a sequenceDiagram statement: {line!r}"
        words = re.sub(r"#\w+;", "", statement.partition(": ")[2])
        assert not set(words) & set('#;"<>'), f"unescaped text in {line!r}"


async def test_raw_http_app_events_in_order():
    tracer = trace(hello_app)
    sent = await serve(tracer, http_scope(), REQUEST)
    assert [m["body"] for m in sent if "body" in m] == [b"hello world"]
    conn = tracer.last
    assert conn.id == 1
    assert [(e.direction, e.type) for e in conn.events] == [
        ("receive", "http.request"),
        ("receive", "http.request"),
        ("send", "http.response.start"),
        ("send", "http.response.body"),
    ]
    times = [e.t for e in conn.events]
    assert times == sorted(times) and times[0] > 0
    assert conn.ended is not None and conn.ended >= times[-1]
    assert conn.error is None
    assert conn.messages("http.request", "receive")[1] == REQUEST[1]
    assert conn.messages(direction="send")[0]["status"] == 200


async def test_messages_pass_through_as_the_same_objects():
    seen = []

    async def app(scope, receive, send):
        seen.append(await receive())
        message = {"type": "http.response.start", "status": 204}
        seen.append(message)
        await send(message)
        await send({"type": "http.response.body"})

    requests = [{"type": "http.request"}]
    first = requests[0]
    sent = await serve(Tracer(app), http_scope(), requests)
    assert seen[0] is first
    assert sent[0] is seen[1]


async def test_copies_do_not_follow_later_mutation():
    async def mutating_app(scope, receive, send):
        scope["path"] = "/changed"
        scope["headers"][0][1] = b"evil"
        message = await receive()
        message["body"] = b"changed"
        start = {"type": "http.response.start", "status": 200, "headers": [[b"a", b"1"]]}
        await send(start)
        start["status"], start["headers"][0][1] = 500, b"2"
        await send({"type": "http.response.body", "body": b""})

    tracer = trace(mutating_app)
    sent = await serve(tracer, http_scope("/orig"), [{"type": "http.request", "body": b"x"}])
    sent[0]["type"] = "mutated by the server"  # as HttpCommunicator.get_response does
    conn = tracer.last
    assert conn.scope["path"] == "/orig"
    assert conn.scope["headers"] == [[b"host", b"localhost"]]
    assert conn.events[0].message["body"] == b"x"
    assert conn.events[1].message == {
        "type": "http.response.start",
        "status": 200,
        "headers": [[b"a", b"1"]],
    }


async def test_scope_copy_is_plain_and_never_loads_lazy_objects():
    def load_user():
        raise AssertionError("the tracer evaluated a lazy object")

    scope = {**http_scope(), "user": SimpleLazyObject(load_user), "state": {"n": (1, 2)}}
    tracer = trace(hello_app)
    await serve(tracer, scope, REQUEST)
    copy = tracer.last.scope
    assert copy["user"] == "<SimpleLazyObject>"
    assert copy["client"] == ["127.0.0.1", 50000]
    assert copy["state"] == {"n": [1, 2]}
    assert copy["raw_path"] == b"/" and copy["query_string"] == b""


async def test_exception_is_recorded_and_reraised():
    async def broken(scope, receive, send):
        await receive()
        await send({"type": "http.response.start", "status": 200})
        raise ValueError("boom")

    tracer = trace(broken)
    with pytest.raises(ValueError, match="boom"):
        await serve(tracer, http_scope(), REQUEST)
    conn = tracer.last
    assert conn.error == "ValueError: boom"
    assert conn.ended is not None
    assert [e.type for e in conn.events] == ["http.request", "http.response.start"]
    assert "App-xServer: raised ValueError: boom after" in conn.mermaid()
    assert re.search(r"\(raised\)\s+ValueError: boom$", repr(conn.table()))


async def test_ids_last_filter_clear_and_keep():
    tracer = Tracer(hello_app, keep=2)
    with pytest.raises(LookupError, match="nothing traced yet"):
        _ = tracer.last
    for path in ["/a", "/b", "/c"]:
        await serve(tracer, http_scope(path), REQUEST)
    assert [c.id for c in tracer.connections] == [2, 3]
    assert tracer.last.scope["path"] == "/c"
    assert len(tracer.filter(type="http")) == 2 and len(tracer.filter(type="websocket")) == 0
    assert [c.scope["path"] for c in tracer.filter(path="/b")] == ["/b"]
    tracer.clear()
    assert len(tracer) == 0
    await serve(tracer, http_scope(), REQUEST)
    assert tracer.last.id == 1


@uses_db_thread
async def test_demo_http_get_data_through_http_communicator():
    tracer = trace(application)
    comm = HttpCommunicator(tracer, "GET", "/api/v1/data?filter=active", headers=[HOST])
    response = await comm.get_response()
    await comm.wait()
    assert response["status"] == 200
    conn = tracer.last
    assert conn.scope["query_string"] == b"filter=active" and conn.scope["path"] == "/api/v1/data"
    assert [(e.direction, e.type) for e in conn.events] == [
        ("receive", "http.request"),
        ("send", "http.response.start"),
        ("send", "http.response.body"),
    ]
    # get_response() deleted "type" from the dict the app sent; our copy still has it.
    assert conn.messages("http.response.start")[0]["status"] == 200
    assert b'"filter": "active"' in conn.messages("http.response.body")[0]["body"]
    assert conn.scope_summary() == "http GET /api/v1/data?filter=active"
    diagram = conn.mermaid()
    assert_valid_mermaid(diagram)
    assert "Note over Server,App: #35;1 http GET /api/v1/data?filter=active" in diagram
    assert "Server->>App: http.request (body=b'')" in diagram
    assert "App->>Server: http.response.start (status=200)" in diagram
    assert "App->>Server: http.response.body (body=b'{#34;filter#34;: #34;active#34;" in diagram
    assert "Note over App: returned after" in diagram


@uses_db_thread
async def test_demo_websocket_echo_with_hostile_text():
    tracer = trace(application)
    comm = WebsocketCommunicator(tracer, "/ws/echo/async/", headers=[ORIGIN])
    connected, _ = await comm.connect()
    assert connected
    await comm.send_to(text_data=HOSTILE)
    assert await comm.receive_from() == f"async echo: {HOSTILE}"
    await comm.disconnect()
    conn = tracer.last
    assert [(e.direction, e.type) for e in conn.events] == [
        ("receive", "websocket.connect"),
        ("send", "websocket.accept"),
        ("receive", "websocket.receive"),
        ("send", "websocket.send"),
        ("receive", "websocket.disconnect"),
    ]
    diagram = conn.mermaid()
    assert_valid_mermaid(diagram)
    # Text holding a double quote is shown in single quotes, its quote unescaped.
    escaped = "a#59;b#35;c:d#34;e#60;f#62;g\\nh"
    assert f"Server->>App: websocket.receive (text='{escaped}')" in diagram
    assert f"App->>Server: websocket.send (text='async echo: {escaped}')" in diagram
    assert "Server->>App: websocket.disconnect (code=1000)" in diagram


class DenyConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.close(code=4401)


@uses_db_thread
async def test_channels_consumer_denial_shows_close_code():
    tracer = trace(DenyConsumer.as_asgi())
    comm = WebsocketCommunicator(tracer, "/ws/deny/")
    connected, code = await comm.connect()
    assert (connected, code) == (False, 4401)
    await comm.wait()
    diagram = tracer.last.mermaid()
    assert_valid_mermaid(diagram)
    assert "App->>Server: websocket.close (code=4401)" in diagram


async def test_trace_diagram_has_a_lane_per_connection():
    tracer = trace(hello_app)
    for path in ["/1", "/2", "/3"]:
        await serve(tracer, http_scope(path), REQUEST)
    diagram = tracer.mermaid(max_connections=2)
    assert_valid_mermaid(diagram)
    assert "participant A1 as App #35;2" in diagram and "participant A2 as App #35;3" in diagram
    assert "Note over Server: 1 earlier connection(s) not shown" in diagram
    assert "Server->>A2: http.request" in diagram and "A1->>Server: http.response.body" in diagram
    assert diagram.index("Note over A1: #35;2") < diagram.index("Note over A2: #35;3")
    assert_valid_mermaid(Trace().mermaid())


async def test_mime_bundle_and_plain_text():
    tracer = trace(hello_app)
    await serve(tracer, http_scope(query=b"q=1"), REQUEST)
    bundle = tracer.last._repr_mimebundle_()
    assert set(bundle) == {"text/vnd.mermaid", "text/plain"}
    assert bundle["text/vnd.mermaid"].startswith("sequenceDiagram\n")
    plain = bundle["text/plain"]
    assert plain.startswith("#1 http GET /?q=1: 4 events, returned after")
    assert re.search(r"server → app\s+http\.request\s+body=b'wor' more_body=True", plain)
    assert re.search(r"app → server\s+http\.response\.start\s+status=200 headers=", plain)
    assert set(tracer._repr_mimebundle_()) == {"text/vnd.mermaid", "text/plain"}
    await serve(tracer, http_scope(), REQUEST)
    assert repr(tracer.table()).startswith("2 connections\nconn  t (ms)  direction")
    assert repr(tracer[0]).startswith("<Connection #1 http GET /?q=1: 4 events, returned")


async def test_html_table_escapes_what_the_app_sent():
    async def app(scope, receive, send):
        await receive()
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"<script>alert(1)</script>"})

    tracer = trace(app)
    await serve(tracer, http_scope(), REQUEST[1:])
    page = tracer.last.table()._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.startswith("<table>") and page.count("<tr>") == 5  # head, 3 events, end
    assert "<script>" not in tracer.last.scope_view()._repr_html_()


async def test_scope_view_shows_header_pairs_as_bytes():
    tracer = trace(hello_app)
    headers = [[b"host", b"localhost"], [b"cookie", b"a=1"]]
    await serve(tracer, http_scope(headers=headers), REQUEST)
    view = repr(tracer.last.scope_view())
    assert re.search(r"^headers\s+\(b'host', b'localhost'\)$", view, re.M)
    assert re.search(r"^\s+\(b'cookie', b'a=1'\)$", view, re.M)
    assert re.search(r"^query_string\s+b''$", view, re.M)


async def test_call_traces_one_interaction():
    conn = await call(hello_app, http_scope())
    assert isinstance(conn, Connection)
    assert [e.type for e in conn.events] == [
        "http.request",
        "http.response.start",
        "http.response.body",
    ]
    assert conn.messages("http.response.body")[0]["body"] == b"hello "


async def test_call_cancels_an_app_still_waiting():
    async def waits_forever(scope, receive, send):
        while True:
            await receive()

    tracer = trace(waits_forever)
    conn = await call(tracer, {"type": "websocket", "path": "/ws/"}, stop_after=0.05)
    assert tracer.last is conn
    assert conn.error == "CancelledError"
    assert [e.type for e in conn.events] == ["websocket.connect", "websocket.disconnect"]
    assert "Note over App: cancelled after" in conn.mermaid()


async def test_call_reraises_the_app_error():
    async def broken(scope, receive, send):
        raise KeyError("nope")

    with pytest.raises(KeyError):
        await call(broken, http_scope())


async def test_broken_sink_never_breaks_the_app(caplog):
    def sink(record):
        raise OSError("disk full")

    tracer = Tracer(hello_app, sink=sink)
    with caplog.at_level(logging.ERROR, logger="course.tracing.tracer"):
        sent = await serve(tracer, http_scope(), REQUEST)
    assert sent[1]["body"] == b"hello world"
    assert len(tracer.last.events) == 4
    assert "trace sink failed" in caplog.text


def test_subprocess_env(tmp_path):
    target, env = subprocess_env("config.asgi:application", tmp_path / "t.jsonl")
    assert target == "course.tracing.app:application"
    assert env == {
        "COURSE_TRACE_APP": "config.asgi:application",
        "COURSE_TRACE_FILE": str(tmp_path / "t.jsonl"),
    }
