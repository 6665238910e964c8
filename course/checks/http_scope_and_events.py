"""Lesson 02's exercises: read a body that comes in pieces, send one in pieces."""

from __future__ import annotations

from typing import Any

from course.checking.model import Exercise, Fail, expect
from course.checks._support.http import (
    Response,
    Watched,
    expect_async_app,
    expect_plain_text,
    read_response,
)
from course.scopes import http_scope
from course.tracing import Connection, call

LESSON = "02-http-scope-and-events"

echo = Exercise("body-echo", LESSON)
streaming = Exercise("streaming-response", LESSON)
EXERCISES = [echo, streaming]

STILL_WAITING = (
    "{name} was still waiting after the last piece of the request (more_body=False) and never "
    "answered: stop reading once a http.request has more_body False, then send the response."
)


async def _run(app: Any, name: str, scope: dict[str, Any], messages: list[dict[str, Any]]) -> Any:
    """Call ``app`` once like a server; turn the classic crashes into advice."""
    expect_async_app(app, name, "scope, receive, send")
    watched = Watched(app)
    try:
        conn: Connection = await call(watched, scope, messages, stop_after=1.0)
    except KeyError as error:
        if error.args == ("body",) and "body" not in scope:
            raise Fail(
                f"{name} raised KeyError: 'body'. The request body is never in the scope: "
                "it arrives in http.request events, from await receive()."
            ) from error
        raise
    except TypeError as error:
        if "bytes" in str(error):
            raise Fail(
                f"{name} raised TypeError: {error}. Bodies and header names and values are "
                "bytes: join bytes with b''.join(...), encode text with '...'.encode()."
            ) from error
        raise
    sent = conn.messages(direction="send")
    if not sent and conn.error == "CancelledError":
        raise Fail(STILL_WAITING.format(name=name))
    watched.verdict(sent, name)
    return sent


# ---- body-echo: read every piece of the request body ------------------------------------


def _request(body: bytes, more_body: bool = False) -> dict[str, Any]:
    return {"type": "http.request", "body": body, "more_body": more_body}


async def _echo(echo_app: Any, pieces: list[bytes], content_type: bytes | None = None) -> Response:
    """POST /echo with the body in ``pieces`` (chunked when there are several)."""
    scope = dict(http_scope("/echo", method="POST"))
    body = b"".join(pieces)
    framing = (
        (b"transfer-encoding", b"chunked")
        if len(pieces) > 1
        else (b"content-length", str(len(body)).encode())
    )
    extra = [framing] + ([(b"content-type", content_type)] if content_type else [])
    scope["headers"] = [*scope["headers"], *extra]
    messages = [_request(p, True) for p in pieces[:-1]] + [_request(pieces[-1])]
    sent = await _run(echo_app, "echo_app", scope, messages)
    return read_response(sent, f"POST /echo ({len(pieces)} piece(s))", "echo_app")


@echo.check("a body in one http.request comes back whole, with status 200")
async def echoes_one_piece(echo_app: Any) -> None:
    response = await _echo(echo_app, [b"Hello, ASGI!"])
    expect(response.status == 200, f"echo_app answered status {response.status}; expected 200.")
    expect(
        response.body == b"Hello, ASGI!",
        f"for the body b'Hello, ASGI!' echo_app answered {response.body!r}: send back "
        "exactly the bytes you received.",
    )


@echo.check(
    "a body in five http.request pieces comes back whole",
    on_timeout=STILL_WAITING.format(name="echo_app"),
)
async def echoes_many_pieces(echo_app: Any) -> None:
    pieces = [b"one ", b"two ", b"three ", b"four ", b"five"]
    response = await _echo(echo_app, pieces)
    whole = b"".join(pieces)
    hint = ""
    if response.body == pieces[0]:
        hint = (
            " That is only the first piece: keep calling receive() while more_body is True, "
            "and join the pieces."
        )
    elif response.body == pieces[-1]:
        hint = " That is only the last piece: add each piece to the body, do not replace it."
    expect(
        response.body == whole,
        f"the body came in five pieces (more_body=True on all but the last); echo_app "
        f"answered {response.body!r}, expected {whole!r}.{hint}",
    )


@echo.check("an empty body comes back empty, with content-length 0")
async def echoes_an_empty_body(echo_app: Any) -> None:
    response = await _echo(echo_app, [b""])
    expect(response.status == 200, f"echo_app answered status {response.status}; expected 200.")
    expect(response.body == b"", f"for an empty body echo_app answered {response.body!r}.")
    length = response.headers.get(b"content-length")
    expect(
        length == b"0",
        f"for an empty body the content-length header is {length!r}; expected b'0'.",
    )


@echo.check("content-length and content-type headers are right (bytes)")
async def sets_the_headers(echo_app: Any) -> None:
    pieces = [b'{"name": ', b'"Ada"}']
    response = await _echo(echo_app, pieces, content_type=b"application/json")
    length = response.headers.get(b"content-length")
    expected = str(len(b"".join(pieces))).encode()
    expect(
        length == expected,
        f"the body is {len(b''.join(pieces))} bytes long; echo_app sent content-length "
        f"{length!r}, expected {expected!r}. Count the whole body (len(body)), not one piece: "
        "a body sent in pieces has no content-length in the request.",
    )
    kind = response.headers.get(b"content-type")
    expect(
        kind == b"application/json",
        f"the request's content-type was b'application/json'; echo_app sent {kind!r}. "
        "Read it from scope['headers'] (names are lower-case bytes) and send it back.",
    )
    plain = await _echo(echo_app, [b"raw"])
    kind = plain.headers.get(b"content-type")
    expect(
        kind == b"application/octet-stream",
        f"with no content-type in the request, echo_app sent {kind!r}; "
        "expected b'application/octet-stream'.",
    )


# ---- streaming-response: answer in pieces ---------------------------------------------------


async def _stream(stream_app: Any, target: str) -> tuple[Response, list[dict[str, Any]]]:
    try:
        sent = await _run(stream_app, "stream_app", dict(http_scope(target)), [_request(b"")])
    except KeyError as error:
        if error.args != ("parts",) or "parts=" in target:
            raise
        raise Fail(
            f"GET {target} has no ?parts=, and stream_app raised KeyError: 'parts': send the "
            "default 3 then, parse_qs(...).get('parts', ['3'])[0]."
        ) from error
    except TypeError as error:
        if "str" not in str(error):
            raise
        raise Fail(
            f"for GET {target} stream_app raised TypeError: {error}. parse_qs gives strings "
            "({'parts': ['5']}): make the count a number with int(...)."
        ) from error
    return read_response(sent, f"GET {target}", "stream_app"), sent


def _parts(count: int) -> list[bytes]:
    return [f"part {n}\n".encode() for n in range(1, count + 1)]


def _numbering(body: bytes) -> str:
    """Advice for parts numbered from 0, or "" when they are not."""
    if not body.startswith(b"part 0\n"):
        return ""
    return " The parts are numbered from 1; range(parts) starts at 0: use range(1, parts + 1)."


@streaming.check("starts with http.response.start: status 200, text/plain")
async def starts_the_response(stream_app: Any) -> None:
    response, _ = await _stream(stream_app, "/?parts=3")
    expect(response.status == 200, f"stream_app answered status {response.status}; expected 200.")
    expect_plain_text(response)


@streaming.check("sends each part in its own http.response.body, with more_body=True")
async def sends_each_part_alone(stream_app: Any) -> None:
    _, sent = await _stream(stream_app, "/?parts=3")
    bodies = [m for m in sent if m["type"] == "http.response.body"]
    chunks = [m.get("body", b"") for m in bodies if m.get("body", b"")]
    if len(chunks) == 1:
        raise Fail(
            f"stream_app sent its whole body in one http.response.body ({chunks[0]!r}): send "
            "each part in a message of its own, with more_body=True, so the client sees each "
            "part as soon as it is ready."
        )
    expect(
        chunks == _parts(3),
        f"for ?parts=3 the non-empty bodies were {chunks!r}; expected one message per part: "
        f"{_parts(3)!r}.{_numbering(b''.join(chunks))}",
    )


@streaming.check("ends the response: the last body has more_body False, nothing after it")
async def ends_the_response(stream_app: Any) -> None:
    _, sent = await _stream(stream_app, "/?parts=2")
    expect(
        sent[-1]["type"] == "http.response.body" and not sent[-1].get("more_body", False),
        "the last message must be an http.response.body without more_body (or with "
        "more_body=False): it ends the response.",
    )


@streaming.check("sends as many parts as ?parts= asks (1, 5, and 3 without a query)")
async def counts_the_parts(stream_app: Any) -> None:
    for target, count in (("/?parts=1", 1), ("/?parts=5", 5), ("/", 3)):
        response, _ = await _stream(stream_app, target)
        expected = b"".join(_parts(count))
        advice = _numbering(response.body) or (
            " Read parts from scope['query_string'] (bytes) with parse_qs; default 3."
        )
        expect(
            response.body == expected,
            f"for GET {target} stream_app sent {response.body!r}; expected {expected!r}.{advice}",
        )
