"""Cells that fail the way a student's do, one or more per classic pain point, and cells
that fail for other reasons, which the explainer must leave alone.
tests/course/explain/test_extension.py runs them in a real IPython shell; the cases that need
a process (daphne, Redis, a fresh interpreter) are written out there."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    number: int  # the pain point the explanation must name (0: none)
    name: str
    cell: str  # fails
    before: tuple[str, ...] = ()  # run first, must not fail
    first: bool = True  # named first among the causes shown
    after: tuple[str, ...] = ()  # clean-up
    warns: str = ""  # a warning the mistake itself raises (a filterwarnings "ignore:" spec)


COMMON = """
import asyncio, threading, time
from channels.generic.websocket import AsyncWebsocketConsumer, WebsocketConsumer
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

class Fixed(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()
"""
ROOM = """
class Room(AsyncWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add("room-4", self.channel_name)
        await self.accept()

client = WebsocketCommunicator(Room.as_asgi(), "/ws/room/")
await client.connect()
await get_channel_layer().group_send("room-4", {"type": "chat.message", "text": "hi"})
"""
WSGI_SERVER = """
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.core.wsgi import get_wsgi_application

runserver = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)  # what runserver runs without daphne
runserver.set_app(get_wsgi_application())
threading.Thread(target=runserver.serve_forever, daemon=True).start()
"""
DISCONNECT_IGNORED = """
from basics.ws_raw import ignores_disconnect

script = [{"type": "websocket.connect"}, {"type": "websocket.disconnect", "code": 1000}]

async def receive():
    return script.pop(0) if script else await asyncio.Future()

async def send(message):
    pass
"""
SESSIONS = """
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.sessions import SessionMiddlewareStack
from django.contrib.sessions.backends.db import SessionStore

class Visits(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept()
        session = self.scope["session"]
        visits = await session.aget("visits", 0) + 1
        await session.aset("visits", visits)
        await self.send_json({"visits": visits})

session = SessionStore()
await session.acreate()
cookie = (b"cookie", f"sessionid={session.session_key}".encode())

async def visit():
    client = WebsocketCommunicator(SessionMiddlewareStack(Visits.as_asgi()), "/", headers=[cookie])
    await client.connect()
    frame = await client.receive_json_from()
    await client.disconnect()
    return frame["visits"]
"""
SYNC_REPORTS = """
class Report(WebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None):
        time.sleep(0.3)  # a slow query, say
        self.send(text_data=threading.current_thread().name)

clients = [WebsocketCommunicator(Report.as_asgi(), "/") for _ in range(3)]
for client in clients:
    await client.connect()
    await client.send_to(text_data="report")
"""
TIMED_OUT = """
quiet = WebsocketCommunicator(Fixed.as_asgi(), "/")
await quiet.connect()
try:
    await quiet.receive_from(timeout=0.1)
except TimeoutError:
    pass
"""

EXPLAINED = [
    Case(
        1,
        "sync-orm",
        """
        from chat.models import Message

        async def count():
            return Message.objects.count()

        await count()
        """,
    ),
    Case(
        2,
        "async-to-sync",
        """
        from asgiref.sync import async_to_sync

        async def notify():
            async_to_sync(get_channel_layer().group_send)("jobs", {"type": "job.done"})

        await notify()
        """,
        before=(COMMON,),
    ),
    Case(4, "no-handler", ROOM + "await client.receive_from(timeout=0.2)", before=(COMMON,)),
    Case(
        4,
        "no-handler-in-a-task-group",
        ROOM
        + "async with asyncio.TaskGroup() as tasks:\n    tasks.create_task(client.receive_from())",
        before=(COMMON,),
    ),
    Case(
        5,
        "group-name",
        'await get_channel_layer().group_add("chat.Café Rio", "specific.inmemory!x")',
        before=(COMMON,),
    ),
    Case(
        7,
        "runserver-without-daphne",
        """
        from websockets.asyncio.client import connect

        host, port = runserver.server_address
        await connect(f"ws://{host}:{port}/ws/echo/async/")
        """,
        before=(COMMON, WSGI_SERVER),
        after=("runserver.shutdown()\nrunserver.server_close()",),
    ),
    Case(
        8,
        "under-a-wsgi-server",
        """
        from wsgiref.util import setup_testing_defaults
        from config.asgi import application

        environ = {}
        setup_testing_defaults(environ)
        application(environ, lambda status, headers: None)
        """,
    ),
    Case(
        8,
        "without-as-asgi",
        'await WebsocketCommunicator(Fixed, "/").connect(timeout=0.2)',
        before=(COMMON,),
    ),
    Case(
        8,
        "routed-without-as-asgi",  # Channels 4: URLRouter awaits what the class call returns
        """
        from channels.routing import URLRouter
        from django.urls import path

        await WebsocketCommunicator(URLRouter([path("chat/", Fixed)]), "/chat/").connect()
        """,
        before=(COMMON,),
    ),
    Case(
        8,
        "routed-plain-class",  # a class whose __init__ takes nothing fails at the call
        """
        from channels.routing import URLRouter
        from django.urls import path

        class Plain:
            pass

        await WebsocketCommunicator(URLRouter([path("chat/", Plain)]), "/chat/").connect()
        """,
        before=(COMMON,),
    ),
    Case(
        9,
        "django-alone",
        """
        from config.asgi import django_asgi_app

        await WebsocketCommunicator(django_asgi_app, "/ws/echo/async/").connect(timeout=0.2)
        """,
        before=(COMMON,),
    ),
    Case(
        11,
        "lifespan",
        """
        from asgiref.testing import ApplicationCommunicator
        from config.asgi import application

        server = ApplicationCommunicator(application, {"type": "lifespan"})
        await server.send_input({"type": "lifespan.startup"})
        await server.receive_output(timeout=0.2)
        """,
    ),
    Case(
        12,
        "no-route",
        """
        import chat.routing
        from channels.routing import URLRouter

        router = URLRouter(chat.routing.websocket_urlpatterns)
        await WebsocketCommunicator(router, "/ws/nowhere/").connect(timeout=0.2)
        """,
        before=(COMMON,),
    ),
    Case(
        12,
        "include-in-url-router",
        """
        import chat.routing
        from channels.routing import URLRouter
        from django.urls import include, path

        URLRouter([path("ws/rooms/", include(chat.routing.websocket_urlpatterns))])
        """,
    ),
    Case(
        13,
        "ignores-disconnect",
        """
        scope = {"type": "websocket", "path": "/"}
        await asyncio.wait_for(ignores_disconnect(scope, receive, send), 0.5)
        """,
        before=(COMMON, DISCONNECT_IGNORED),
    ),
    Case(
        14,
        "sync-consumers-take-turns",
        "await asyncio.gather(*(client.receive_from(timeout=0.5) for client in clients))",
        before=(COMMON, SYNC_REPORTS),
    ),
    Case(
        15,
        "send-never-awaited",
        """
        layer = get_channel_layer()
        inbox = await layer.new_channel()

        def notify():  # a sync view or signal handler
            layer.send(inbox, {"type": "job.done"})  # no async_to_sync: nothing runs it

        notify()
        await asyncio.wait_for(layer.receive(inbox), 0.3)
        """,
        before=(COMMON,),
        warns="coroutine 'InMemoryChannelLayer.send' was never awaited:RuntimeWarning",
    ),
    Case(
        17,
        "channel-full",
        """
        from channels.layers import InMemoryChannelLayer

        small = InMemoryChannelLayer(capacity=2)
        for n in range(3):
            await small.send("box", {"type": "note", "n": n})
        """,
    ),
    Case(
        20,
        "session-not-saved",
        "visits = [await visit(), await visit()]\nassert visits == [1, 2], visits",
        before=(COMMON, SESSIONS),
    ),
    Case(
        22,
        "receive-timeout",
        """
        quiet = WebsocketCommunicator(Fixed.as_asgi(), "/")
        await quiet.connect()
        await quiet.receive_from(timeout=0.1)
        """,
        before=(COMMON,),
    ),
    Case(
        22,
        "dead-communicator",
        'await quiet.send_to(text_data="still there?")',
        before=(COMMON, TIMED_OUT),
    ),
]

UNRELATED = [
    Case(0, "name-error", "undefined_name"),
    Case(0, "zero-division", "1 / 0"),
    Case(0, "key-error", '{"room": "lobby"}["user"]'),
    Case(0, "plain-timeout", "import asyncio\nawait asyncio.wait_for(asyncio.sleep(1), 0.01)"),
    Case(0, "plain-assert", "assert 1 + 1 == 3"),
    Case(0, "plain-runtime-error", 'raise RuntimeError("the loop ran out of coffee")'),
    Case(0, "plain-type-error", '"ws/" + 8'),
    Case(0, "await-a-number", "await 5"),  # the same words as pain point 8, outside a router
    Case(0, "plain-value-error", 'int("lobby")'),
    Case(
        0,
        "connection-refused",
        "from websockets.asyncio.client import connect\nawait connect('ws://127.0.0.1:9/')",
    ),
    Case(0, "import-error", "import chat.nothing_here"),
    Case(
        0,
        "def-not-async-def",  # a classic ASGI mistake, but none of the 25
        """
        from asgiref.compatibility import guarantee_single_callable

        def hello(scope, receive, send):
            pass

        await guarantee_single_callable(hello)({"type": "http"}, None, None)
        """,
    ),
]
