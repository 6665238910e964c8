"""A whole ``asgi.py`` tried in-process (lesson 05's ``seed-stack``): the student's routes and
application built under the check's settings, then HTTP requests and WebSockets through it.

The settings: ``ALLOWED_HOSTS`` of this site only (whatever a hub set, a foreign Origin is
foreign), and sessions and users kept in memory (course/checks/_support/sessions.py), so
that a check logs a user in without touching the demo database. Every classic error of a
misbuilt stack (a route without ``.as_asgi()``, no ``AuthMiddlewareStack``, no catch-all, no
``"http"`` entry) becomes a message that names it. Django and Channels are imported inside
the functions: a kernel pays for them when the check runs, not when ``check`` loads.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from course.checking.model import Fail, expect
from course.scopes import http_scope
from course.tracing import call

ENGINE = "course.checks._support.sessions"
BACKEND = f"{ENGINE}.Backend"
HOSTS = ["localhost", "127.0.0.1", "testserver"]
ORIGIN = b"http://localhost"  # this site, as a browser on it sends it
FOREIGN = b"http://evil.example"
WAIT = 0.5
AS_ASGI = "can't be used in 'await'", "takes no arguments", "positional argument"
OUTSIDE_IN = "AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))"


class Stack:
    """The student's application, its routes, and the users and sessions a check made."""

    def __init__(self, app: Any, routes: Sequence[Any]) -> None:
        self.app = app
        self.routes = list(routes)
        self.keys: list[str] = []
        self.clients: list[Any] = []

    def log_in(self, username: str) -> bytes:
        """A session for a new in-memory user; its cookie header."""
        from django.contrib.auth import (
            BACKEND_SESSION_KEY,
            HASH_SESSION_KEY,
            SESSION_KEY,
            get_user_model,
        )

        from course.checks._support import sessions

        user = get_user_model()(pk=10**9 + secrets.randbelow(10**9), username=username)
        user.set_unusable_password()
        sessions.USERS[user.pk] = user
        key = self.session_key()
        sessions.SESSIONS[key] = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: BACKEND,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        return self.cookie(key)

    def session_key(self) -> str:
        """A fresh session key, forgotten when the check ends."""
        self.keys.append(secrets.token_hex(16))
        return self.keys[-1]

    @staticmethod
    def read(key: str) -> bool:
        """Whether a middleware loaded session ``key``."""
        from course.checks._support import sessions

        return key in sessions.READ

    @staticmethod
    def cookie(key: str) -> bytes:
        """The cookie header a browser sends with session ``key``."""
        from django.conf import settings

        return f"{settings.SESSION_COOKIE_NAME}={key}".encode()

    async def get(self, target: str) -> tuple[int, bytes]:
        """``GET target`` through the application: (status, body); Fail naming a misbuilt
        "http" entry."""
        try:
            conn = await call(self.app, http_scope(target), stop_after=2.0)
        except (TypeError, ValueError) as error:
            raise Fail(_http_error(target, error)) from error
        sent = conn.messages(direction="send")
        expect(sent, f"GET {target} got no answer: route 'http' to django_asgi_app.")
        return sent[0].get("status", 0), b"".join(m.get("body", b"") for m in sent[1:])

    async def open(self, path: str, origin: bytes | None = ORIGIN, cookie: bytes = b"") -> Any:
        """A WebSocket to ``path`` with this Origin (and cookie); the connected client, or
        None if the stack refused it (closed before accept)."""
        from channels.testing import WebsocketCommunicator

        headers = [(b"origin", origin)] if origin else []
        client = WebsocketCommunicator(self.app, path, headers=headers + _cookie(cookie))
        try:
            accepted, _ = await client.connect(WAIT)
        except TimeoutError:
            raise Fail(f"a WebSocket to {path} got no answer within {WAIT} s.") from None
        except (KeyError, TypeError, ValueError) as error:
            raise Fail(_websocket_error(path, error)) from error
        if not accepted:
            return None
        self.clients.append(client)
        return client

    @staticmethod
    async def reply(client: Any, path: str, consumer: str) -> Any:
        """The next text frame ``client`` got; Fail if none came: the route is wrong."""
        try:
            return await client.receive_from(WAIT)
        except TimeoutError:
            raise Fail(
                f"a WebSocket to {path} was accepted and then got nothing within {WAIT} s: "
                f"route {path.strip('/')}/ to {consumer}.as_asgi()."
            ) from None

    def refused(self, path: str) -> str:
        """Why a WebSocket from this site to a routed ``path`` may have been refused."""
        patterns = [str(getattr(r, "pattern", "")) for r in self.routes]
        if any(p.startswith("/") or p.startswith("^/") for p in patterns):
            return (
                "routes are written without a leading slash (URLRouter matches the path "
                "without it): path('ws/whoami/', ...), not path('/ws/whoami/', ...)."
            )
        if patterns and patterns[0] in ("", "^", ".*", "^.*$"):
            return "the catch-all comes first and takes every path: put it last."
        return f"is {path.strip('/')}/ in make_websocket_urlpatterns(), before the catch-all?"


def _cookie(cookie: bytes) -> list[tuple[bytes, bytes]]:
    return [(b"cookie", cookie)] if cookie else []


def _http_error(target: str, error: Exception) -> str:
    said = f"GET {target} raised {type(error).__name__}: {str(error).rstrip('.')}"
    text = str(error)
    if "scope type 'http'" in text:
        return (
            f"{said}: your ProtocolTypeRouter has no 'http' entry. Add 'http': django_asgi_app, "
            "so pages, the admin and the API still reach Django."
        )
    if "get_asgi_application()" in text:
        return (
            f"{said}: 'http' is get_asgi_application itself. Call it once, django_asgi_app = "
            "get_asgi_application(), and route 'http' to the app it returns."
        )
    return (
        f"{said}: HTTP goes to the 'http' entry of your ProtocolTypeRouter, which must be "
        "django_asgi_app (Django's own ASGI app), not a WebSocket router, consumer or validator."
    )


def _websocket_error(path: str, error: Exception) -> str:
    said = f"a WebSocket to {path} raised {type(error).__name__}: {str(error).rstrip('.')}"
    text = str(error)
    if isinstance(error, TypeError) and any(s in text for s in AS_ASGI):
        return (
            f"{said}. URLRouter awaited the consumer class itself: route to its ASGI app, "
            "WhoAmIConsumer.as_asgi(), AsyncEchoConsumer.as_asgi()."
        )
    if isinstance(error, KeyError) and error.args == ("user",):
        return (
            f"{said}: the consumer found no scope['user']. Put AuthMiddlewareStack around the "
            f"URLRouter, inside the validator: {OUTSIDE_IN}."
        )
    if "session in scope" in text or "No cookies in scope" in text:
        return (
            f"{said}. AuthMiddleware needs the cookie and session middleware outside it: "
            f"AuthMiddlewareStack(...) nests all three, {OUTSIDE_IN}."
        )
    if "No route found" in text:
        return (
            f"{said}: URLRouter raises when no route matches. End make_websocket_urlpatterns() "
            "with a catch-all, re_path(r'', WebsocketDenier.as_asgi()), which refuses (403)."
        )
    if "scope type 'websocket'" in text:
        return f"{said}: your ProtocolTypeRouter has no 'websocket' entry: {OUTSIDE_IN}."
    return f"{said}: the 'websocket' entry should be {OUTSIDE_IN}."


@contextlib.asynccontextmanager
async def built(
    make_websocket_urlpatterns: Callable[[], Any], make_application: Callable[[Any], Any]
) -> AsyncIterator[Stack]:
    """The student's stack, built and tried under the check's settings; then every client
    closed and every session and user the check made forgotten."""
    from django.test import override_settings

    from course.checks._support import sessions

    routes = make_websocket_urlpatterns()
    expect(
        isinstance(routes, list | tuple),
        f"make_websocket_urlpatterns() returned {routes!r}: return the list of routes, "
        "[path('ws/whoami/', WhoAmIConsumer.as_asgi()), ...].",
    )
    backends = ["django.contrib.auth.backends.ModelBackend", BACKEND]
    with override_settings(
        ALLOWED_HOSTS=HOSTS, SESSION_ENGINE=ENGINE, AUTHENTICATION_BACKENDS=backends
    ):
        app = make_application(routes)
        expect(
            callable(app),
            f"make_application(...) returned {app!r}: return the application, "
            "ProtocolTypeRouter({...}).",
        )
        stack = Stack(app, routes)
        try:
            yield stack
        finally:
            for client in stack.clients:
                if not client.future.done():  # a timed-out receive has cancelled it already
                    with contextlib.suppress(Exception):
                        await client.disconnect(timeout=WAIT)
                elif not client.future.cancelled():
                    client.future.exception()  # read: no "exception was never retrieved"
            for key in stack.keys:
                data = sessions.SESSIONS.pop(key, {})
                sessions.USERS.pop(int(data.get("_auth_user_id", 0)), None)
            sessions.READ[:] = [key for key in sessions.READ if key not in stack.keys]


__all__ = ["FOREIGN", "ORIGIN", "OUTSIDE_IN", "WAIT", "Stack", "built"]
