"""basics.security: who-am-I with and without an Origin check, tokens, a rate-limited echo."""

import asyncio

import pytest
from channels.testing import WebsocketCommunicator

from basics import security
from basics.security import TokenMiddleware, application, token_of
from course.checks._support.websocket import websocket_scope

EVIL = (b"origin", b"https://evil.example")
# Consumers close stale database connections on every event: they need the database.
pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_open_route_tells_any_site_who_the_cookie_belongs_to(ws, session_cookie):
    client = ws("/ws/whoami/open/", headers=[EVIL, session_cookie], app=application)
    assert (await client.connect())[0]
    assert await client.receive_json_from() == {"user": "alice"}


async def test_the_guarded_route_refuses_a_foreign_origin_and_serves_its_own(ws, session_cookie):
    foreign = ws("/ws/whoami/", headers=[EVIL, session_cookie], app=application)
    assert await foreign.connect() == (False, 1000)  # closed before accept: a 403
    own = ws("/ws/whoami/", cookie=session_cookie, app=application)
    assert (await own.connect())[0]
    assert await own.receive_json_from() == {"user": "alice"}


async def test_without_a_cookie_the_user_is_nobody(ws):
    client = ws("/ws/whoami/", app=application)
    assert (await client.connect())[0]
    assert await client.receive_json_from() == {"user": None}


def test_token_of_reads_a_bearer_header_or_the_token_subprotocols():
    scope = websocket_scope("/")
    assert token_of(scope) is None
    with_header = {**scope, "headers": [(b"authorization", b"Bearer s3cret")]}
    assert token_of(with_header) == "s3cret"
    assert token_of({**scope, "headers": [(b"authorization", b"Basic s3cret")]}) is None
    assert token_of(websocket_scope("/", ["access_token", "s3cret"])) == "s3cret"
    assert token_of(websocket_scope("/", ["s3cret"])) is None


async def test_a_token_gets_in_and_names_the_user(ws):
    by_header = ws("/ws/token/", headers=[(b"authorization", b"Bearer s3cret")], app=application)
    assert await by_header.connect() == (True, None)
    assert await by_header.receive_json_from() == {"user": "ada"}
    by_protocol = WebsocketCommunicator(
        application, "/ws/token/", subprotocols=["access_token", "s3cret"]
    )
    assert await by_protocol.connect() == (True, "access_token")
    assert await by_protocol.receive_json_from() == {"user": "ada"}
    await by_protocol.disconnect()


async def test_no_token_or_a_wrong_one_is_refused_and_the_scope_is_not_changed():
    seen = []

    async def inner(scope, receive, send):
        seen.append(scope)

    for headers in ([], [(b"authorization", b"Bearer guess")]):
        scope = {**websocket_scope("/"), "headers": headers}
        sent = []

        async def send(message, sent=sent):
            sent.append(message)

        await TokenMiddleware(inner)(scope, None, send)
        assert sent == [{"type": "websocket.close"}]
    scope = {**websocket_scope("/"), "headers": [(b"authorization", b"Bearer s3cret")]}
    await TokenMiddleware(inner)(scope, None, None)
    assert seen[-1]["user"] == "ada" and "user" not in scope


async def test_the_limited_echo_closes_with_4008_after_rate_messages(monkeypatch):
    monkeypatch.setattr(security.RateLimitedEchoConsumer, "RATE", 2)
    client = WebsocketCommunicator(application, "/ws/echo/limited/")
    assert (await client.connect())[0]
    for text in ("a", "b", "c"):
        await client.send_to(text_data=text)
    assert [await client.receive_output() for _ in range(3)] == [
        {"type": "websocket.send", "text": "echo: a"},
        {"type": "websocket.send", "text": "echo: b"},
        {"type": "websocket.close", "code": 4008, "reason": "too many messages"},
    ]
    await client.disconnect()


async def test_the_limit_frees_up_after_per_seconds(monkeypatch):
    monkeypatch.setattr(security.RateLimitedEchoConsumer, "RATE", 1)
    monkeypatch.setattr(security.RateLimitedEchoConsumer, "PER", 0.05)
    client = WebsocketCommunicator(application, "/ws/echo/limited/")
    await client.connect()
    for text in ("a", "b"):
        await client.send_to(text_data=text)
        assert await client.receive_from() == f"echo: {text}"
        await asyncio.sleep(0.06)
    await client.disconnect()


def test_the_browser_api_takes_a_url_and_protocols_only():
    assert security.BROWSER_API.splitlines() == [
        "new WebSocket(url)",
        "new WebSocket(url, protocols)",
    ]
