"""Tracing across processes: JSON lines written by traced_asgi, read back by Trace.from_file."""

import asyncio
import importlib
import os
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from channels.testing import HttpCommunicator
from websockets.asyncio.client import connect

from course._paths import REPO_ROOT
from course.tracing import Trace, Tracer, subprocess_env
from course.tracing import codec as trace_codec
from course.tracing.codec import JsonlSink

REPO = REPO_ROOT
ODD_BYTES = bytes(range(256))


async def bytes_app(scope, receive, send):
    """Echo the request body with every byte value in a header and the body."""
    message = await receive()
    await send({"type": "http.response.start", "status": 201, "headers": [(b"x-odd", ODD_BYTES)]})
    await send({"type": "http.response.body", "body": message["body"] + ODD_BYTES})


def scope(path="/"):
    return {"type": "http", "method": "POST", "path": path, "query_string": b"\xff=1",
            "headers": [(b"host", b"localhost")]}  # fmt: skip


async def serve(app, scope, body):
    """Hand the app one request, then block like a silent client; return what it sent."""
    requests, sent = [{"type": "http.request", "body": body}], []

    async def receive():
        if requests:
            return requests.pop()
        await asyncio.Event().wait()

    async def send(message):
        sent.append(message)

    await asyncio.wait_for(app(scope, receive, send), 2)
    return sent


def same(a, b):
    """Connections equal in what a lesson looks at."""
    assert (a.id, a.scope, a.error) == (b.id, b.scope, b.error)
    assert [(e.direction, e.message) for e in a.events] == [
        (e.direction, e.message) for e in b.events
    ]
    assert a.ended == pytest.approx(b.ended) and a.started_at == pytest.approx(b.started_at)


async def test_jsonl_round_trip_keeps_bytes(tmp_path):
    path = tmp_path / "trace.jsonl"
    tracer = Tracer(bytes_app, sink=JsonlSink(path))
    await serve(tracer, scope("/one"), b"\x00\x80body")
    await serve(tracer, scope("/two"), b"")
    back = Trace.from_file(path)
    assert len(back) == 2
    for mine, theirs in zip(tracer, back, strict=True):
        same(mine, theirs)
    assert back[0].scope["query_string"] == b"\xff=1"
    assert back[0].messages("http.response.body")[0]["body"] == b"\x00\x80body" + ODD_BYTES
    assert back[0].messages("http.response.start")[0]["headers"] == [[b"x-odd", ODD_BYTES]]
    assert back.last.mermaid() == tracer.last.mermaid()


async def test_errors_survive_the_file(tmp_path):
    async def broken(scope, receive, send):
        raise RuntimeError("no luck")

    path = tmp_path / "trace.jsonl"
    with pytest.raises(RuntimeError):
        await serve(Tracer(broken, sink=JsonlSink(path)), scope(), b"")
    assert Trace.from_file(path).last.error == "RuntimeError: no luck"


async def test_partial_last_line_and_garbage_are_ignored(tmp_path):
    path = tmp_path / "trace.jsonl"
    tracer = Tracer(bytes_app, sink=JsonlSink(path))
    await serve(tracer, scope(), b"x")
    complete = path.read_bytes()
    line = trace_codec.dumps({"record": "scope", "pid": 1, "conn": 9, "at": 0, "scope": {}})
    with path.open("ab") as file:
        file.write(b"not json\n" + line.encode()[:20])  # a writer killed mid-line
    back = Trace.from_file(path)
    assert len(back) == 1
    same(back.last, tracer.last)
    assert path.read_bytes().startswith(complete)
    assert len(Trace.from_file(tmp_path / "not-yet.jsonl")) == 0  # server up, no request yet


async def test_concurrent_connections_and_threads_never_interleave(tmp_path):
    path = tmp_path / "trace.jsonl"
    sink = JsonlSink(path)
    tracer = Tracer(bytes_app, sink=sink, keep=0)
    await asyncio.gather(*(serve(tracer, scope(f"/{n}"), b"b" * n) for n in range(20)))
    big = {"record": "note", "blob": b"z" * 100_000}
    threads = [threading.Thread(target=lambda: [sink(big) for _ in range(10)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sink.close()
    assert len(tracer) == 0  # keep=0: only the file holds the trace
    records = trace_codec.read_records(path)
    assert len(records) == 20 * 5 + 40
    assert sum(r["record"] == "note" and r["blob"] == big["blob"] for r in records) == 40
    back = Trace.from_file(path)
    assert sorted(c.scope["path"] for c in back) == sorted(f"/{n}" for n in range(20))
    assert all(len(c.events) == 3 and c.ended is not None for c in back)


def load_traced_asgi(monkeypatch, app, path):
    target, env = subprocess_env(app, path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    module_name = target.partition(":")[0]
    if module_name in sys.modules:
        return importlib.reload(sys.modules[module_name])
    return importlib.import_module(module_name)


@pytest.mark.django_db(transaction=True)  # Django closes old connections per request
async def test_traced_asgi_wraps_the_demo_project(monkeypatch, tmp_path):
    path = tmp_path / "trace.jsonl"
    module = load_traced_asgi(monkeypatch, "config.asgi:application", path)
    from config.asgi import application as real

    assert isinstance(module.application, Tracer) and module.application.app is real
    comm = HttpCommunicator(
        module.application, "GET", "/api/v1/data?filter=active", headers=[(b"host", b"localhost")]
    )
    assert (await comm.get_response())["status"] == 200
    await comm.wait()
    conn = Trace.from_file(path).last
    assert conn.scope_summary() == "http GET /api/v1/data?filter=active"
    assert [e.type for e in conn.events] == [
        "http.request",
        "http.response.start",
        "http.response.body",
    ]
    assert b'"filter": "active"' in conn.messages("http.response.body")[0]["body"]


def test_traced_asgi_needs_its_environment(monkeypatch, tmp_path):
    load_traced_asgi(monkeypatch, "config.asgi", tmp_path / "t.jsonl")  # attr defaults
    monkeypatch.delenv("COURSE_TRACE_FILE")
    try:
        with pytest.raises(RuntimeError, match="COURSE_TRACE_FILE is not set"):
            importlib.reload(sys.modules["course.tracing.app"])
    finally:
        del sys.modules["course.tracing.app"]  # half reloaded: let the next import start afresh


def test_load_app_says_what_is_wrong(monkeypatch, tmp_path):
    module = load_traced_asgi(monkeypatch, "config.asgi:application", tmp_path / "t.jsonl")
    with pytest.raises(AttributeError):
        module.load_app("config.asgi:nope")
    with pytest.raises(TypeError, match="not an ASGI application"):
        module.load_app("config.settings:SECRET_KEY")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_listening(proc, port, log, deadline=15.0):
    start = time.monotonic()
    while time.monotonic() - start < deadline:
        if proc.poll() is not None:
            pytest.fail(f"daphne exited with {proc.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"daphne did not listen within {deadline} s:\n{log.read_text()}")


async def wait_for_ended(path, count, deadline=5.0):
    start = time.monotonic()
    while time.monotonic() - start < deadline:
        trace = Trace.from_file(path)
        if len(trace) >= count and all(c.ended is not None for c in trace):
            return trace
        await asyncio.sleep(0.05)
    pytest.fail(f"the trace file never showed {count} finished connection(s)")


@pytest.fixture
def traced_daphne(tmp_path):
    """daphne serving the traced demo project on a free port: yields (port, trace file)."""
    path, log, port = tmp_path / "trace.jsonl", tmp_path / "daphne.log", free_port()
    target, trace_env = subprocess_env("config.asgi:application", path)
    pythonpath = os.pathsep.join([str(REPO / "demo_project"), str(REPO)])
    env = {**os.environ, **trace_env, "PYTHONPATH": pythonpath}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), target]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_listening(proc, port, log)
        yield port, path
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.slow
async def test_daphne_subprocess_writes_the_trace(traced_daphne):
    port, path = traced_daphne
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        response = await client.get("/api/v1/data", params={"filter": "active"})
    assert response.status_code == 200 and response.json()["filter"] == "active"
    url = f"ws://127.0.0.1:{port}/ws/echo/async/"
    async with connect(url, origin="http://localhost", open_timeout=5) as ws:
        await ws.send("hi")
        assert await asyncio.wait_for(ws.recv(), 5) == "async echo: hi"
    http, websocket = await wait_for_ended(path, 2)

    assert http.scope["server"] == ["127.0.0.1", port]
    assert http.scope["query_string"] == b"filter=active"
    assert [b"host", f"127.0.0.1:{port}".encode()] in http.scope["headers"]
    assert [(e.direction, e.type) for e in http.events][:2] == [
        ("receive", "http.request"),
        ("send", "http.response.start"),
    ]
    assert http.messages("http.response.start")[0]["status"] == 200
    assert [(e.direction, e.type) for e in websocket.events] == [
        ("receive", "websocket.connect"),
        ("send", "websocket.accept"),
        ("receive", "websocket.receive"),
        ("send", "websocket.send"),
        ("receive", "websocket.disconnect"),
    ]
    assert websocket.messages("websocket.send")[0]["text"] == "async echo: hi"
    assert "App->>Server: websocket.send (text=#34;async echo: hi#34;)" in websocket.mermaid()
