"""Fixtures for the demo project's tests: a clean channel layer, WebSocket communicators
that are always disconnected, and users with a real session cookie."""

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import AsyncClient

from config.asgi import application

# AllowedHostsOriginValidator refuses a WebSocket without an allowed Origin header.
ORIGIN = (b"origin", b"http://localhost")


@pytest.fixture(autouse=True)
async def channel_layer():
    """The in-memory layer lives as long as the process: empty it around every test."""
    layer = get_channel_layer()
    await layer.flush()
    yield layer
    await layer.flush()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """The default hasher takes ~0.3 s a login; tests need no real security."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
async def ws():
    """Factory for WebSocket communicators on the real ASGI stack (config.asgi).

    ``comm = ws("/ws/chat/lobby/")`` gives an unconnected communicator with an allowed
    Origin; ``cookie=session_cookie`` adds a login, ``headers=[...]`` replaces all headers,
    ``app=...`` talks to another application. Every communicator is disconnected when
    the test ends, so no consumer task outlives its test.
    """
    opened = []

    def make(path, headers=None, cookie=None, app=application):
        if headers is None:
            headers = [ORIGIN] if cookie is None else [ORIGIN, cookie]
        communicator = WebsocketCommunicator(app, path, headers=headers)
        opened.append(communicator)
        return communicator

    yield make
    for communicator in opened:
        await communicator.disconnect()


@pytest.fixture
def password():
    return "correct horse battery staple"


@pytest.fixture
def user(django_user_model, password):
    """A user account (needs a transactional database mark on the test)."""
    return django_user_model.objects.create_user("alice", password=password)


@pytest.fixture
async def session_cookie(user, password):
    """The Cookie header of a browser that logged in as ``user`` through Django's auth."""
    client = AsyncClient()
    assert await client.alogin(username=user.username, password=password)
    session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_id}".encode())
