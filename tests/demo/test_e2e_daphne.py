"""End to end: the demo project under a real daphne, talked to with the websockets client."""

import asyncio
import json
import os
import subprocess
import sys

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError, InvalidStatus

from chat.consumers import MAX_TEXT_LENGTH
from course._paths import DEMO_DIR
from course.live.servers import serve

pytestmark = pytest.mark.slow

ONE_MIB = 1024 * 1024  # daphne's default --websocket-max-message-size


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """daphne serving config.asgi:application on a fresh, migrated SQLite database."""
    env = {"DEMO_DB": str(tmp_path_factory.mktemp("e2e") / "db.sqlite3")}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=DEMO_DIR,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    # -v 2: daphne then logs why it fails a connection (the 1009 below).
    with serve("config.asgi:application", name="e2e", env=env, args=["-v", "2"]) as srv:
        yield srv


def client(server, room, origin=None):
    """Open a WebSocket to a room, from the server's own origin unless told otherwise."""
    origin = origin or server.url.rstrip("/")
    return connect(server.ws_url(f"ws/chat/{room}/"), origin=origin, open_timeout=5)


async def receive(ws):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout=5))


async def join(ws):
    """Read the frames every connection starts with; return our name."""
    assert (await receive(ws))["type"] == "history"
    presence = await receive(ws)
    assert presence["event"] == "join"
    return presence["user"]


async def test_two_clients_chat_through_daphne(server):
    async with client(server, "e2e-lobby") as alice, client(server, "e2e-lobby") as bob:
        alice_name = await join(alice)
        bob_name = await join(bob)
        assert await receive(alice) == {"type": "presence", "event": "join", "user": bob_name}

        await alice.send(json.dumps({"type": "message", "text": "hi bob"}))
        for ws in (alice, bob):
            message = await receive(ws)
            assert (message["type"], message["user"], message["text"]) == (
                "message",
                alice_name,
                "hi bob",
            )

    # The message was stored: a newcomer gets it as history.
    async with client(server, "e2e-lobby") as carol:
        history = await receive(carol)
        assert [m["text"] for m in history["messages"]] == ["hi bob"]


async def test_over_long_text_gets_an_error_and_the_connection_stays_open(server):
    async with client(server, "e2e-errors") as ws:
        await join(ws)
        await ws.send(json.dumps({"type": "message", "text": "x" * (MAX_TEXT_LENGTH + 1)}))
        error = await receive(ws)
        assert (error["type"], error["code"]) == ("error", "too_long")

        await ws.send(json.dumps({"type": "message", "text": "short"}))
        assert (await receive(ws))["text"] == "short"


async def test_a_foreign_origin_is_refused_with_403(server):
    with pytest.raises(InvalidStatus) as refused:
        async with client(server, "e2e-lobby", origin="http://evil.example"):
            pass
    assert refused.value.response.status_code == 403


async def wait_for_log(server, text, within=5.0):
    """The server's log once it contains *text* (log lines arrive a moment later)."""
    for _ in range(int(within / 0.05)):
        logs = server.logs(200)
        if text in logs:
            return logs
        await asyncio.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared in the daphne log:\n{server.logs(200)}")


async def test_a_message_over_one_mib_kills_the_connection_and_daphne_keeps_serving(server):
    async with client(server, "e2e-big") as ws:
        await join(ws)
        await ws.send("x" * (ONE_MIB + 1))
        with pytest.raises(ConnectionClosedError) as closed:
            await asyncio.wait_for(ws.recv(), timeout=5)
    # daphne (autobahn) fails the connection with 1009 "message too big", but it does so
    # by dropping TCP without a close frame: the client only sees 1006, abnormal closure.
    assert closed.value.rcvd is None
    assert ws.close_code == 1006
    await wait_for_log(server, "failing WebSocket connection (code=1009)")

    async with client(server, "e2e-big") as ws:
        await join(ws)
        await ws.send(json.dumps({"type": "message", "text": "still serving"}))
        assert (await receive(ws))["text"] == "still serving"
