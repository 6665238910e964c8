"""A burst through a real daphne: live frames get lost, the history request recovers them.

100 clients in one room each send 20 messages at once. Every message is stored, but each
client's channel in the layer holds 100 messages, and group_send drops, silently, what
does not fit: every client misses most of the burst live. Then each client does what the
room page does, asking {"type": "history", "after": ID} page by page, and ends with all
2000 messages, in order, each once.
"""

import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid

import pytest
from websockets.asyncio.client import connect

from course._paths import DEMO_DIR
from course.live.servers import serve

pytestmark = pytest.mark.slow

CLIENTS = 100
EACH = 20  # messages each client sends
TOTAL = CLIENTS * EACH
QUIET = 1.0  # seconds without a frame for any client: the layer's queues are drained
DEADLINE = 180  # seconds a stage may wait (the burst takes ~15 s of daphne's CPU alone)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """daphne serving the demo with its default settings (the in-memory layer), on a fresh
    migrated SQLite database; yields the server and the database's path."""
    database = tmp_path_factory.mktemp("burst") / "db.sqlite3"
    env = {"DEMO_DB": str(database)}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=DEMO_DIR,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    with serve("config.asgi:application", name="burst", env=env) as srv:
        yield srv, database


def stored_ids(database, room):
    with sqlite3.connect(database, timeout=20) as db:
        rows = db.execute("SELECT id FROM chat_message WHERE room = ? ORDER BY id", (room,))
        return [row[0] for row in rows]


class Client:
    """One websocket in the room: keeps what arrives live, asks for history like the page."""

    def __init__(self, ws, number):
        self.ws = ws
        self.number = number
        self.live = {}  # id -> message frame, as received live
        self.live_order = []  # ids in arrival order
        self.answers = asyncio.Queue()  # answers to our history requests
        self.joins = 0  # presence frames: who joined the room after us (us too)
        self.problems = []
        self.last_frame = time.monotonic()
        self.reader = asyncio.create_task(self.read())

    async def read(self):
        async for raw in self.ws:
            self.last_frame = time.monotonic()
            frame = json.loads(raw)
            if frame["type"] == "message":
                if frame["id"] in self.live:
                    self.problems.append(f"twice live: {frame}")
                self.live[frame["id"]] = frame
                self.live_order.append(frame["id"])
            elif frame["type"] == "history" and "more" in frame:
                self.answers.put_nowait(frame)
            elif frame["type"] == "presence":
                self.joins += frame["event"] == "join"
            else:
                self.problems.append(f"unexpected: {frame}")

    async def send_burst(self):
        for n in range(EACH):
            await self.ws.send(json.dumps({"type": "message", "text": f"{self.number}:{n}"}))

    def synced(self):
        """The page's rule: the last id up to which nothing can be missing (the room was
        empty when we joined, so that starts at 0 and grows only one id at a time)."""
        synced = 0
        for message_id in self.live_order:
            if message_id == synced + 1:
                synced = message_id
        return synced

    async def catch_up(self):
        """Ask for everything after synced, page by page; return the pages' messages."""
        after, received = self.synced(), []
        self.caught_up_after = after
        while True:
            await self.ws.send(json.dumps({"type": "history", "after": after}))
            answer = await asyncio.wait_for(self.answers.get(), DEADLINE)
            received += answer["messages"]
            if not answer["more"]:
                return received
            after = answer["messages"][-1]["id"]


async def opened(server, room, number):
    ws = await connect(
        server.ws_url(f"ws/chat/{room}/"), origin=server.url.rstrip("/"), open_timeout=20
    )
    history = json.loads(await ws.recv())
    assert history == {"type": "history", "messages": []}  # a fresh room
    return Client(ws, number)


def quiet(clients):
    return time.monotonic() - max(client.last_frame for client in clients) > QUIET


async def wait_for(condition, what):
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_every_client_recovers_the_whole_burst_with_history(server):
    daphne, database = server
    room = f"burst-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    clients = [await opened(daphne, room, n) for n in range(CLIENTS)]
    try:
        # Let the joins reach everyone first (client n hears those of n to 99): left in
        # the channels, they would take room from the messages.
        await wait_for(
            lambda: all(c.joins == CLIENTS - c.number for c in clients), "the joins to arrive"
        )
        # All at once: each client sends its 20 frames without waiting for anything.
        burst = time.monotonic()
        await asyncio.gather(*(client.send_burst() for client in clients))
        await wait_for(lambda: len(stored_ids(database, room)) == TOTAL, "2000 stored messages")
        stored = time.monotonic()
        # Catch up while the last live frames (those that fitted in the channels) drain.
        recovered = await asyncio.gather(*(client.catch_up() for client in clients))
        caught_up = time.monotonic()
        await wait_for(lambda: quiet(clients), "the live frames to stop")
        live = sorted(len(client.live) for client in clients)

        assert [client.problems for client in clients] == [[]] * CLIENTS
        ids = stored_ids(database, room)
        assert len(ids) == TOTAL
        checking = time.monotonic()
        for client, pages in zip(clients, recovered, strict=True):
            page_ids = [message["id"] for message in pages]
            # The history answers: increasing ids, no repeats, none at or below synced.
            assert page_ids == sorted(set(page_ids)), f"client {client.number}: out of order"
            assert all(i > client.caught_up_after for i in page_ids)
            # Live and history together: every stored message, each once.
            merged = {**client.live, **{message["id"]: message for message in pages}}
            assert sorted(merged) == ids, f"client {client.number} misses messages"
            # In order: each sender's 20 messages appear in the order they were sent.
            sent = {sender: [] for sender in range(CLIENTS)}
            for i in ids:
                sender, n = merged[i]["text"].split(":")
                sent[int(sender)].append(int(n))
            assert all(numbers == list(range(EACH)) for numbers in sent.values())
        # The server served throughout: a message after all that still goes through.
        await clients[0].ws.send(json.dumps({"type": "message", "text": "after the burst"}))
        await wait_for(lambda: len(stored_ids(database, room)) == TOTAL + 1, "one more")
    finally:
        for client in clients:
            client.reader.cancel()
            await client.ws.close()

    print(
        f"\n{CLIENTS} clients x {EACH} messages: {len(ids)} stored; received live per client: "
        f"min {live[0]}, median {statistics.median(live):g}, max {live[-1]}; after catch-up "
        f"every client has all {TOTAL}. Connect {burst - started:.1f} s, burst stored in "
        f"{stored - burst:.1f} s, catch-up {caught_up - stored:.1f} s, checks "
        f"{time.monotonic() - checking:.1f} s."
    )
