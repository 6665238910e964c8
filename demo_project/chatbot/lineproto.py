"""A tiny protocol server: ASGI over plain TCP, one line of text a message.

The first line a client sends is its name. The server then builds a scope of the custom
type "chat" and calls the application once for the connection, as daphne does for a
WebSocket. Events in: chat.connect, chat.receive_message (one a line), chat.disconnect.
Events out: chat.send_message, written back as one line.

    server = await LineServer(application).start()   # inside a running event loop
    reader, writer = await asyncio.open_connection(*server.address)
    await server.stop()
"""

import asyncio
import contextlib

ENCODING = "utf-8"
SHUTDOWN_TIMEOUT = 1.0  # seconds an application gets to return after chat.disconnect
ANSWER_TIMEOUT = 1.0  # seconds talk() waits for each answer


class LineServer:
    """Serve an ASGI application over TCP; each connection is one "chat" scope."""

    def __init__(self, application, room=None):
        self.application = application
        self.room = room  # a server setting put in every scope, as root_path is for HTTP
        self.errors = []  # what the application raised, newest last
        self._server = None
        self.address = None
        self._connections = {}  # task serving a connection -> its writer

    async def start(self, host="127.0.0.1", port=0):
        """Listen on ``host`` (port 0: any free port); return the server."""
        self._server = await asyncio.start_server(self._serve, host, port)
        self.address = self._server.sockets[0].getsockname()[:2]  # (host, port) to connect to
        return self

    async def stop(self):
        """Stop listening, hang up on every client, wait for their applications to end."""
        self._server.close()
        for writer in self._connections.values():
            writer.close()  # the reader sees end-of-file: the application gets chat.disconnect
        if self._connections:
            await asyncio.wait(list(self._connections), timeout=SHUTDOWN_TIMEOUT * 2)
        await self._server.wait_closed()

    def __repr__(self):
        state = "stopped" if self._server is None or not self._server.is_serving() else "serving"
        return f"<LineServer {state} on {self.address}, {len(self._connections)} connection(s)>"

    async def _serve(self, reader, writer):
        self._connections[asyncio.current_task()] = writer
        try:
            await self._converse(reader, writer)
        finally:
            del self._connections[asyncio.current_task()]
            writer.close()
            with contextlib.suppress(OSError):  # the client may have reset the connection
                await writer.wait_closed()

    async def _converse(self, reader, writer):
        name = (await reader.readline()).decode(ENCODING).strip()
        if not name:
            return  # the client left before it said who it is
        scope = {
            "type": "chat",  # our own scope type: a router needs an entry for it
            "asgi": {"version": "3.0", "spec_version": "1.0"},
            "user": name,
            "room": self.room,
            "client": list(writer.get_extra_info("peername")[:2]),
            "server": list(writer.get_extra_info("sockname")[:2]),
        }
        events = asyncio.Queue()  # what the application's receive() hands out
        events.put_nowait({"type": "chat.connect"})

        async def send(message):
            if message["type"] != "chat.send_message":
                raise ValueError(f"a chat server cannot send {message['type']!r} events")
            writer.write(message["text"].encode(ENCODING) + b"\n")
            await writer.drain()

        app = asyncio.create_task(self.application(scope, events.get, send))
        reading = asyncio.create_task(self._read_lines(reader, events))
        try:
            done, _ = await asyncio.wait([app, reading], return_when=asyncio.FIRST_COMPLETED)
            if app not in done:  # the client left: give the app time to handle chat.disconnect
                await asyncio.wait([app], timeout=SHUTDOWN_TIMEOUT)
        finally:
            for task in (app, reading):
                task.cancel()  # no-op for a finished task; a slow app is killed, as daphne does
            await asyncio.gather(app, reading, return_exceptions=True)
        if not app.cancelled() and app.exception() is not None:
            self.errors.append(app.exception())

    async def _read_lines(self, reader, events):
        try:
            while line := await reader.readline():
                text = line.decode(ENCODING).rstrip("\r\n")
                events.put_nowait({"type": "chat.receive_message", "text": text})
        except (ConnectionError, ValueError):  # reset by the peer, or a line over 64 KiB
            pass
        events.put_nowait({"type": "chat.disconnect"})


async def talk(address, user, lines):
    """Connect as ``user``, send each line, read one line back after each; return them."""
    reader, writer = await asyncio.open_connection(*address)
    try:
        writer.write(f"{user}\n".encode(ENCODING))
        answers = []
        for line in lines:
            writer.write(f"{line}\n".encode(ENCODING))
            answer = await asyncio.wait_for(reader.readline(), ANSWER_TIMEOUT)
            if not answer:
                raise ConnectionError(f"the server hung up after {line!r}: see server.errors")
            answers.append(answer.decode(ENCODING).rstrip("\n"))
        return answers
    finally:
        writer.close()
        await writer.wait_closed()
