"""Scopes written by hand, the way a server would build them: for calling an app yourself."""

from collections.abc import Sequence

from course.types import Scope


def http_scope(target: str, method: str = "GET") -> Scope:
    """The scope a server builds for ``GET /hello?name=Ada`` from 127.0.0.1."""
    path, _, query = target.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"user-agent", b"course-check")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


def websocket_scope(path: str = "/", subprotocols: Sequence[str] = ()) -> Scope:
    """The scope a server builds for a WebSocket to ``path`` offering ``subprotocols``."""
    headers = [(b"host", b"testserver"), (b"upgrade", b"websocket"), (b"connection", b"Upgrade")]
    if subprotocols:
        headers.append((b"sec-websocket-protocol", ", ".join(subprotocols).encode()))
    return {
        "type": "websocket",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "scheme": "ws",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "subprotocols": list(subprotocols),
    }


__all__ = ["http_scope", "websocket_scope"]
