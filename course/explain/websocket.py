"""What a WebSocket client's failure offers the explainer's rules (course/explain/rules.py):
the HTTP status that refused its handshake, the request it had sent (path, headers), and
whether a wait for a message timed out, and where.

The client is ``websockets`` (as in the lessons); its connection object, held by the
traceback's frames, keeps the handshake request.
"""

from __future__ import annotations

from typing import Any

from course.explain.evidence import Failure

CLIENTS = ("websockets.asyncio.client.ClientConnection", "websockets.sync.client.ClientConnection")
TIMEOUT = ("TimeoutError",)


def _refusals(f: Failure) -> list[BaseException]:
    """The websockets exceptions that carry the HTTP response refusing a handshake."""
    return [e for e in f.raised if type(e).__module__.startswith("websockets")]


def status(f: Failure) -> int | None:
    """The HTTP status a WebSocket client got instead of a handshake."""
    for exc in _refusals(f):
        response = getattr(exc, "response", None)
        code = getattr(response, "status_code", getattr(exc, "status_code", None))
        if isinstance(code, int):
            return code
    return None


def response_header(f: Failure, name: str) -> str:
    """A header of the response that refused the handshake ("" if none)."""
    for exc in _refusals(f):
        headers = getattr(getattr(exc, "response", None), "headers", None)
        if headers is not None:
            return str(headers.get(name, ""))
    return ""


def request(f: Failure) -> Any:
    """The handshake request (``.path``, ``.headers``) the client sent, or None if unknown."""
    for connection in f.holds(*CLIENTS):
        if getattr(connection, "request", None) is not None:
            return connection.request
    return None


def request_header(f: Failure, name: str) -> str | None:
    """A header the client sent with its handshake ("" if none; None: unknown)."""
    sent = request(f)
    return None if sent is None else str(sent.headers.get(name, ""))


def to_a_consumer(f: Failure) -> bool:
    """Did the client talk to a Channels consumer's route (``/ws/...``, as in the Channels
    tutorial and the demo), not to a raw ASGI app? True if its request is unknown."""
    sent = request(f)
    return sent is None or "/ws/" in str(sent.path)


def refused(f: Failure, code: int) -> bool:
    """Did a handshake to a consumer's route get this HTTP status?"""
    return status(f) == code and to_a_consumer(f)


def timed_out_receiving(f: Failure) -> str:
    """Where a TimeoutError waited for a message: "websockets", "memory", "redis" or ""."""
    if not f.is_a(*TIMEOUT) or f.is_a("redis.exceptions.TimeoutError"):
        return ""  # redis-py's own: a socket timeout, not a message that never came
    if f.passed("/websockets/", "recv"):
        return "websockets" if to_a_consumer(f) else ""
    if f.passed("/channels_redis/", "receive"):
        return "redis"
    if f.passed("/channels/layers.py", "receive"):
        return "memory"
    return ""
