"""course/live/uvicorn_server.py: uvicorn from a cell, the same way course.serve runs daphne."""

import httpx
import pytest
from websockets.asyncio.client import connect

import course
from course.live.uvicorn_server import UvicornServer, serve_uvicorn
from tests.course.helpers import ECHO_APP, alive, wait_gone

pytestmark = pytest.mark.slow


def test_the_command_line_puts_options_before_the_app():
    server = UvicornServer(ECHO_APP, args=["--lifespan", "off"])
    argv = server.argv("some.module:app", 7)
    assert argv[1:] == ["-m", "uvicorn", "--fd", "7", "--lifespan", "off", "some.module:app"]
    assert course.serve_uvicorn is serve_uvicorn


async def test_serves_http_and_websocket_and_stops():
    server = serve_uvicorn(ECHO_APP, name="test-uvicorn")
    try:
        async with httpx.AsyncClient() as client:
            response = await client.get(server.url + "hi")
        assert (response.text, response.headers["server"]) == ("hello from /hi", "uvicorn")
        async with connect(server.ws_url("anything/")) as ws:
            await ws.send("ping")
            assert await ws.recv() == "ping"
    finally:
        pid = server.pid
        server.stop()
    assert pid is not None and wait_gone(pid, 2) and not alive(pid)


def test_a_failed_lifespan_startup_raises_with_the_log():
    with pytest.raises(RuntimeError) as failed:
        serve_uvicorn(name="test-uvicorn-lifespan", args=["--lifespan", "on"])
    message = str(failed.value)
    assert "No application configured for scope type 'lifespan'" in message
    assert "Application startup failed" in message


def test_same_name_replaces_the_old_server_and_keeps_the_port():
    first = serve_uvicorn(ECHO_APP, name="test-uvicorn-again")
    second = serve_uvicorn(ECHO_APP, name="test-uvicorn-again")
    try:
        assert not first.running and second.running and second.port == first.port
    finally:
        second.stop()


async def test_traces_the_lifespan_scope_too():
    server = serve_uvicorn("basics.lifespan:application", name="test-uvicorn-trace", trace=True)
    try:
        lifespan = server.trace().filter(type="lifespan").last
        assert [m["type"] for m in lifespan.messages()] == [
            "lifespan.startup",
            "lifespan.startup.complete",
        ]
        assert "lifespan: startup" in server.logs()
    finally:
        server.stop()
    assert "lifespan: shutdown" in server.logs()
