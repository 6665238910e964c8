"""A reverse proxy in a few lines of asyncio, to see what nginx's defaults do to a WebSocket.

``ReverseProxy(upstream_port)`` behaves like nginx's ``proxy_pass`` with its defaults: it
talks HTTP/1.0 to the upstream and drops the hop-by-hop headers (Connection, Upgrade, ...),
so the upstream sees a plain GET and the WebSocket handshake never happens (pain point 24).
``ReverseProxy(upstream_port, websockets=True)`` does what ``nginx-websocket.conf`` asks:
HTTP/1.1, ``Upgrade`` passed on, ``Connection: upgrade``; then it relays bytes both ways.

It runs in the notebook's own event loop: start it with ``await proxy.start()``, stop it
with ``await proxy.stop()``, and talk to it only with async clients. One request per
connection; request bodies need a Content-Length. Not for production: use nginx.
"""

import asyncio
import contextlib

HOST = "127.0.0.1"
# RFC 9110 section 7.6.1: headers meant for one hop only, never forwarded by a proxy.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}


def forwarded_head(head, websockets):
    """The request head the proxy sends upstream for the client's *head* (bytes)."""
    request_line, *lines = head.decode("latin-1").split("\r\n")
    method, target, _version = request_line.split(" ")
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines if line]
    upgrade = dict((name.lower(), value) for name, value in headers).get("upgrade", "")
    kept = [(name, value) for name, value in headers if name.lower() not in HOP_BY_HOP]
    if websockets and upgrade.lower() == "websocket":
        # proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; Connection "upgrade"
        version, kept = "HTTP/1.1", [*kept, ("Upgrade", upgrade), ("Connection", "upgrade")]
    else:
        version, kept = "HTTP/1.0", [*kept, ("Connection", "close")]  # nginx's defaults
    lines = [f"{method} {target} {version}", *(f"{name}: {value}" for name, value in kept)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"), kept


async def _relay(reader, writer):
    """Copy bytes from *reader* to *writer* until EOF, then close *writer*."""
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


class ReverseProxy:
    """Listen on a free 127.0.0.1 port and pass each request on to *upstream_port*."""

    def __init__(self, upstream_port, websockets=False):
        self.upstream_port = upstream_port
        self.websockets = websockets
        self.forwarded = []  # the headers (name, value) sent upstream, one list per request
        self._server = None
        self._open = set()  # writers of connections still open (close_clients() is 3.12+)

    async def start(self):
        """Start listening; return self, so ``proxy = await ReverseProxy(port).start()``."""
        self._server = await asyncio.start_server(self._handle, HOST, 0)
        return self

    @property
    def port(self):
        return self._server.sockets[0].getsockname()[1]

    @property
    def url(self):
        return f"http://{HOST}:{self.port}/"

    def ws_url(self, path=""):
        return f"ws://{HOST}:{self.port}/{path.lstrip('/')}"

    async def stop(self):
        """Stop listening and close the connections still open."""
        if self._server is not None:
            self._server.close()
            for writer in self._open:
                writer.close()
            await self._server.wait_closed()

    async def _handle(self, client_reader, client_writer):
        """One client connection: forward its request, then relay both ways until done."""
        try:
            head = await client_reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            client_writer.close()
            return
        new_head, headers = forwarded_head(head, self.websockets)
        self.forwarded.append(headers)
        length = dict((name.lower(), value) for name, value in headers).get("content-length")
        body = await client_reader.readexactly(int(length)) if length else b""
        up_reader, up_writer = await asyncio.open_connection(HOST, self.upstream_port)
        self._open |= {client_writer, up_writer}
        up_writer.write(new_head + body)
        await up_writer.drain()
        # Like nginx, answer the client in HTTP/1.1, whatever version the upstream spoke.
        status_line = await up_reader.readline()
        client_writer.write(status_line.replace(b"HTTP/1.0 ", b"HTTP/1.1 ", 1))
        relays = [_relay(up_reader, client_writer), _relay(client_reader, up_writer)]
        with contextlib.suppress(Exception):
            await asyncio.gather(*relays)
        self._open -= {client_writer, up_writer}
