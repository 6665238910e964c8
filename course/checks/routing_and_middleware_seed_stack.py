"""Lesson 05's second exercise: the seed stack by hand, asgi.py's application and routing.py's
websocket_urlpatterns, graded on what the built application does.

Each check calls the student's ``make_websocket_urlpatterns()`` and ``make_application(...)``
under its own settings, then sends an HTTP request or opens WebSockets through the result
(course/checks/_support/stack.py): Django answers HTTP, this site's WebSockets reach their
consumers with the session's user in the scope, and a foreign Origin or an unknown path is
refused before accept. The users and sessions are the check's own, in memory.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from course.checking.model import Exercise, expect
from course.checks._support.stack import FOREIGN, ORIGIN, OUTSIDE_IN, built

LESSON = "05-routing-and-middleware"

seed = Exercise("seed-stack", LESSON)
EXERCISES = [seed]

DATA = "/api/v1/data?filter=active"  # basics.views.data, a Django view
WHOAMI, ECHO = "/ws/whoami/", "/ws/echo/"


def _accepted(origin: bytes | None) -> str:
    """What to tell a stack that let a WebSocket with this Origin (or none) in."""
    sent = f"Origin {origin.decode()}" if origin else "no Origin header"
    return (
        f"a WebSocket to {ECHO} with {sent} was accepted: any page on any site could open it "
        "in a visitor's browser. Wrap the stack in AllowedHostsOriginValidator, which refuses "
        f"an Origin not in ALLOWED_HOSTS: {OUTSIDE_IN}."
    )


@seed.check("an HTTP request reaches Django's views: GET /api/v1/data?filter=active")
async def http_reaches_django(make_websocket_urlpatterns: Any, make_application: Any) -> None:
    async with built(make_websocket_urlpatterns, make_application) as stack:
        status, body = await stack.get(DATA)
    expect(
        status == 200 and body.startswith(b'{"filter": "active"'),
        f"GET {DATA} answered {status} {body[:80]!r}, not the view's JSON: route 'http' to "
        "django_asgi_app, Django's own ASGI app.",
    )


@seed.check("ws/whoami/ from this site reaches WhoAmIConsumer, which sees the session's user")
async def sees_the_user(make_websocket_urlpatterns: Any, make_application: Any) -> None:
    async with built(make_websocket_urlpatterns, make_application) as stack:
        name = f"ada-{secrets.token_hex(3)}"
        for who, cookie in ((name, stack.log_in(name)), ("", b"")):
            client = await stack.open(WHOAMI, cookie=cookie)
            expect(
                client,
                f"a WebSocket to {WHOAMI} from {ORIGIN.decode()} was refused: "
                + stack.refused(WHOAMI),
            )
            text = await stack.reply(client, WHOAMI, "WhoAmIConsumer")
            reply = json.loads(text) if text.startswith("{") else text
            expected = {"user": who, "authenticated": bool(who)}
            expect(
                reply == expected,
                f"WhoAmIConsumer answered {reply} to "
                + (f"the logged-in {name}" if who else "a visitor with no session")
                + f", not {expected}: the user comes from the session cookie; "
                f"AuthMiddlewareStack reads it, {OUTSIDE_IN}.",
            )


@seed.check("ws/echo/ from this site reaches the echo consumer")
async def routes_the_echo(make_websocket_urlpatterns: Any, make_application: Any) -> None:
    async with built(make_websocket_urlpatterns, make_application) as stack:
        client = await stack.open(ECHO)
        expect(
            client,
            f"a WebSocket to {ECHO} from {ORIGIN.decode()} was refused: " + stack.refused(ECHO),
        )
        await client.send_to(text_data="hi")
        reply = await stack.reply(client, ECHO, "AsyncEchoConsumer")
    expect(
        reply == "async echo: hi",
        f"{ECHO} answered 'hi' with {reply!r}, not 'async echo: hi': route it to "
        "AsyncEchoConsumer.as_asgi().",
    )


@seed.check("another site's WebSocket, or one with no Origin, is refused before accept (403)")
async def refuses_other_origins(make_websocket_urlpatterns: Any, make_application: Any) -> None:
    async with built(make_websocket_urlpatterns, make_application) as stack:
        for origin in (FOREIGN, None):
            client = await stack.open(ECHO, origin=origin)
            expect(client is None, _accepted(origin))


@seed.check("a path no route matches is refused before accept (403), not a crash")
async def refuses_unknown_paths(make_websocket_urlpatterns: Any, make_application: Any) -> None:
    async with built(make_websocket_urlpatterns, make_application) as stack:
        client = await stack.open("/ws/nowhere/")
    expect(
        client is None,
        "a WebSocket to /ws/nowhere/ was accepted: no route should take it. The catch-all, "
        "last in the list, refuses: re_path(r'', WebsocketDenier.as_asgi()).",
    )


@seed.check("another site is refused before its session is read (the validator is outermost)")
async def checks_the_origin_first(make_websocket_urlpatterns: Any, make_application: Any) -> None:
    async with built(make_websocket_urlpatterns, make_application) as stack:
        key = stack.session_key()
        client = await stack.open(ECHO, origin=FOREIGN, cookie=stack.cookie(key))
        expect(client is None, _accepted(FOREIGN))
        expect(
            not stack.read(key),
            f"a WebSocket from {FOREIGN.decode()} was refused only after its session was read: "
            "the validator sits inside AuthMiddlewareStack, so every foreign handshake costs a "
            f"session and user lookup. Make the validator the outermost layer: {OUTSIDE_IN}.",
        )
