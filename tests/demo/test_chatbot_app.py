"""chatbot: the line server, the bot over real TCP, and the bot in the web chat's room."""

import asyncio

import pytest
from channels.consumer import AsyncConsumer
from channels.routing import ProtocolTypeRouter
from channels.testing import ApplicationCommunicator

from chatbot.asgi import application
from chatbot.consumers import BOT_NAME, BotConsumer, answer
from chatbot.lineproto import LineServer, talk

# Every consumer closes stale database connections in a worker thread around each
# handler; for pytest-django that is database access (see test_basics_consumers.py).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def serve():
    """Factory: ``server = await serve(app, room=...)``; every server is stopped at the end."""
    servers = []

    async def start(app=application, **options):
        server = await LineServer(app, **options).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


async def readline(reader):
    return (await asyncio.wait_for(reader.readline(), 2)).decode().rstrip("\n")


def test_the_bot_answers_with_the_text_backwards():
    assert answer("ada", "hello bot") == "@ada tob olleh"


async def test_each_line_gets_the_bots_answer_over_tcp(serve):
    server = await serve()

    assert await talk(server.address, "ada", ["hello", "two words"]) == [
        "@ada olleh",
        "@ada sdrow owt",
    ]
    assert server.errors == []


async def test_the_server_builds_a_chat_scope_and_sends_connect_lines_disconnect(serve):
    seen = []

    async def app(scope, receive, send):
        seen.append(scope)
        while (event := await receive())["type"] != "chat.disconnect":
            seen.append(event)
            if event["type"] == "chat.receive_message":
                await send({"type": "chat.send_message", "text": event["text"].upper()})
        seen.append(event)

    server = await serve(app, room="lobby")
    assert await talk(server.address, "ada", ["hi", "a b"]) == ["HI", "A B"]
    await server.stop()

    scope, *events = seen
    assert {k: scope[k] for k in ("type", "user", "room")} == {
        "type": "chat",
        "user": "ada",
        "room": "lobby",
    }
    assert scope["client"][0] == "127.0.0.1"
    assert scope["server"] == list(server.address)
    assert events == [
        {"type": "chat.connect"},
        {"type": "chat.receive_message", "text": "hi"},
        {"type": "chat.receive_message", "text": "a b"},
        {"type": "chat.disconnect"},
    ]


async def test_a_client_that_leaves_without_a_name_never_reaches_the_app(serve):
    calls = []

    async def app(scope, receive, send):
        calls.append(scope)

    server = await serve(app)
    reader, writer = await asyncio.open_connection(*server.address)
    writer.close()
    await writer.wait_closed()
    assert await reader.read() == b""
    await server.stop()
    assert calls == []


async def test_an_app_that_raises_is_recorded_and_its_client_hung_up_on(serve):
    server = await serve(ProtocolTypeRouter({}))

    with pytest.raises(ConnectionError, match="hung up"):
        await talk(server.address, "ada", ["hello"])

    assert [str(e) for e in server.errors] == ["No application configured for scope type 'chat'"]


async def test_the_server_refuses_to_send_another_event_type(serve):
    async def app(scope, receive, send):
        await receive()
        await send({"type": "websocket.send", "text": "nope"})

    server = await serve(app)
    with pytest.raises(ConnectionError):
        await talk(server.address, "ada", ["hello"])
    assert "cannot send 'websocket.send'" in str(server.errors[0])


async def test_stop_hangs_up_and_the_bot_gets_chat_disconnect(serve):
    ended = asyncio.Event()

    class Bot(BotConsumer):
        async def chat_disconnect(self, event):
            ended.set()
            await super().chat_disconnect(event)

    server = await serve(ProtocolTypeRouter({"chat": Bot.as_asgi()}))
    reader, writer = await asyncio.open_connection(*server.address)
    writer.write(b"ada\nhi\n")
    assert await readline(reader) == "@ada ih"

    await server.stop()

    assert ended.is_set()
    assert await reader.read() == b""
    assert "stopped" in repr(server) and server.errors == []
    writer.close()
    await writer.wait_closed()


async def test_an_app_that_ignores_disconnect_is_cancelled(serve, monkeypatch):
    monkeypatch.setattr("chatbot.lineproto.SHUTDOWN_TIMEOUT", 0.1)

    class Stubborn(AsyncConsumer):
        async def chat_connect(self, event):
            pass

        async def chat_disconnect(self, event):
            pass  # no StopConsumer: the consumer would run forever

    server = await serve(ProtocolTypeRouter({"chat": Stubborn.as_asgi()}))
    reader, writer = await asyncio.open_connection(*server.address)
    writer.write(b"ada\n")
    writer.close()
    await writer.wait_closed()
    assert await reader.read() == b""
    await asyncio.wait_for(server.stop(), 1)
    assert server.errors == []  # cancelled, not failed


async def test_the_web_chat_reaches_the_bot_and_the_bots_answer_reaches_the_web(serve, ws):
    server = await serve(room="bots")
    reader, writer = await asyncio.open_connection(*server.address)
    writer.write(b"ada\n")
    web = ws("/ws/chat/bots/", app=application)
    assert (await web.connect())[0]
    history, presence = await web.receive_json_from(), await web.receive_json_from()
    assert history == {"type": "history", "messages": []}
    guest = presence["user"]

    await web.send_json_to({"type": "message", "text": "hi bot"})

    mine, reply = await web.receive_json_from(), await web.receive_json_from()
    assert (mine["user"], mine["text"]) == (guest, "hi bot")
    assert (reply["type"], reply["user"], reply["text"]) == (
        "message",
        BOT_NAME,
        f"@{guest} tob ih",
    )
    assert {"id", "created"} <= set(reply)
    assert await readline(reader) == f"[bots] {guest}: hi bot"
    assert await web.receive_nothing()  # the bot does not answer its own answer
    writer.close()
    await writer.wait_closed()


async def test_a_bot_without_a_presence_handler_dies_when_someone_joins(ws, channel_layer):
    class Forgetful(BotConsumer):
        chat_presence = None

    scope = {"type": "chat", "user": "ada", "room": "bots"}
    bot = ApplicationCommunicator(Forgetful.as_asgi(), scope)
    await bot.send_input({"type": "chat.connect"})
    assert await bot.receive_nothing()
    assert len(channel_layer.groups["chat.bots"]) == 1

    assert (await ws("/ws/chat/bots/").connect())[0]

    with pytest.raises(ValueError, match=r"No handler for message type chat\.presence"):
        await bot.wait()


async def test_the_bot_leaves_the_room_on_disconnect(channel_layer):
    bot = ApplicationCommunicator(application, {"type": "chat", "user": "ada", "room": "bots"})
    await bot.send_input({"type": "chat.connect"})
    assert await bot.receive_nothing()
    assert len(channel_layer.groups["chat.bots"]) == 1

    await bot.send_input({"type": "chat.disconnect"})
    await bot.wait()

    assert "chat.bots" not in channel_layer.groups
