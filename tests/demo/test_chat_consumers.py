"""chat.consumers.ChatConsumer on the real stack: history, groups, presence, errors, auth."""

import json
import re
from datetime import datetime

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from chat.consumers import CLOSE_LOGIN_REQUIRED, HISTORY_LENGTH, MAX_TEXT_LENGTH
from chat.models import Message
from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


async def join(ws, room="lobby", cookie=None):
    """Connect to a room; return the communicator, the history frame and our own name."""
    communicator = ws(f"/ws/chat/{room}/", cookie=cookie)
    connected, _ = await communicator.connect()
    assert connected, f"connection to {room} was refused"
    history = await communicator.receive_json_from()
    assert history["type"] == "history"
    presence = await communicator.receive_json_from()
    assert presence["type"] == "presence"
    assert presence["event"] == "join"
    return communicator, history, presence["user"]


async def say(communicator, text):
    await communicator.send_json_to({"type": "message", "text": text})
    return await communicator.receive_json_from()


async def test_connect_sends_empty_history_then_own_join(ws):
    communicator, history, name = await join(ws)

    assert history == {"type": "history", "messages": []}
    assert re.fullmatch(r"guest-[0-9a-f]{4}", name)
    assert await communicator.receive_nothing()


async def test_history_is_the_rooms_last_50_oldest_first(ws):
    await Message.objects.abulk_create(
        [Message(room="lobby", author="old", text=f"m{i}") for i in range(HISTORY_LENGTH + 5)]
        + [Message(room="elsewhere", author="other", text="not here")]
    )

    _, history, _ = await join(ws)

    texts = [message["text"] for message in history["messages"]]
    assert texts == [f"m{i}" for i in range(5, HISTORY_LENGTH + 5)]
    first = history["messages"][0]
    assert set(first) == {"type", "id", "user", "text", "created"}
    assert first["user"] == "old"


async def test_two_clients_see_each_others_messages_and_presence(ws):
    alice, _, alice_name = await join(ws)
    bob, _, bob_name = await join(ws)
    assert alice_name != bob_name
    assert await alice.receive_json_from() == {
        "type": "presence",
        "event": "join",
        "user": bob_name,
    }

    sent = await say(alice, "  hello bob  ")
    received = await bob.receive_json_from()

    assert sent == received
    assert sent["type"] == "message"
    assert sent["user"] == alice_name
    assert sent["text"] == "hello bob"  # stripped
    assert datetime.fromisoformat(sent["created"]).tzinfo is not None
    stored = await Message.objects.aget(id=sent["id"])
    assert (stored.room, stored.author, stored.text, stored.user_id) == (
        "lobby",
        alice_name,
        "hello bob",
        None,
    )

    reply = await say(bob, "hi alice")
    assert await alice.receive_json_from() == reply
    assert reply["user"] == bob_name


async def test_history_shows_earlier_messages_to_a_newcomer(ws):
    alice, _, alice_name = await join(ws)
    await say(alice, "first")
    await say(alice, "second")

    _, history, _ = await join(ws)

    assert [(m["user"], m["text"]) for m in history["messages"]] == [
        (alice_name, "first"),
        (alice_name, "second"),
    ]


async def test_rooms_are_separate(ws):
    lobby, _, _ = await join(ws, "lobby")
    other, _, _ = await join(ws, "other.room_2")

    await say(other, "psst")

    assert await lobby.receive_nothing()


async def test_leaving_tells_the_others(ws):
    alice, _, _ = await join(ws)
    bob, _, bob_name = await join(ws)
    await alice.receive_json_from()  # bob's join

    await bob.disconnect()

    assert await alice.receive_json_from() == {
        "type": "presence",
        "event": "leave",
        "user": bob_name,
    }
    assert await alice.receive_nothing()


TOO_LONG = "x" * (MAX_TEXT_LENGTH + 1)


@pytest.mark.parametrize(
    ("frame", "code", "explained"),
    [
        ({"text_data": "not json"}, "bad_json", "not valid JSON"),
        ({"text_data": "{'type': 'message'}"}, "bad_json", "not valid JSON"),
        ({"text_data": "[" * 100_000}, "bad_json", "not valid JSON"),  # RecursionError
        ({"text_data": '["message", "hi"]'}, "bad_shape", "Got an array, not an object"),
        ({"text_data": '"hi"'}, "bad_shape", "Got a string, not an object"),
        ({"text_data": "null"}, "bad_shape", "Got null, not an object"),
        ({"text_data": '{"text": "hi"}'}, "bad_shape", 'no "type"'),
        ({"text_data": '{"type": "shout", "text": "hi"}'}, "bad_shape", 'Unknown type "shout"'),
        ({"text_data": '{"type": "message"}'}, "bad_text", '"text" must be a non-empty string'),
        ({"text_data": '{"type": "message", "text": 42}'}, "bad_text", '"text" must be'),
        ({"text_data": '{"type": "message", "text": ""}'}, "bad_text", '"text" must be'),
        ({"text_data": '{"type": "message", "text": " \\n\\t "}'}, "bad_text", '"text" must be'),
        ({"text_data": json.dumps({"type": "message", "text": TOO_LONG})}, "too_long", "501"),
        ({"bytes_data": b'{"type": "message", "text": "hi"}'}, "binary_not_supported", "binary"),
    ],
)
async def test_bad_input_gets_an_error_frame_and_the_connection_stays_usable(
    ws, frame, code, explained
):
    alice, _, _ = await join(ws)

    await alice.send_to(**frame)
    error = await alice.receive_json_from()

    assert error["type"] == "error"
    assert error["code"] == code
    assert explained in error["message"]
    # Still connected and still chatting; nothing was stored or broadcast.
    assert (await say(alice, "still here"))["text"] == "still here"
    assert await Message.objects.acount() == 1


async def test_text_of_exactly_the_limit_is_accepted(ws):
    alice, _, _ = await join(ws)
    message = await say(alice, "y" * MAX_TEXT_LENGTH)
    assert message["type"] == "message"
    assert len(message["text"]) == MAX_TEXT_LENGTH


async def test_markup_is_carried_as_plain_data(ws):
    # The server stores and relays text as is; the page renders it with textContent.
    alice, _, _ = await join(ws)
    message = await say(alice, "<script>alert(1)</script>")
    assert message["text"] == "<script>alert(1)</script>"


async def test_private_room_closes_anonymous_users_with_4401(ws):
    communicator = ws("/ws/chat/private-staff/")
    connected, _ = await communicator.connect()
    assert connected  # accepted first, so the client can read the close code
    closing = await communicator.receive_output()

    assert closing["type"] == "websocket.close"
    assert closing["code"] == CLOSE_LOGIN_REQUIRED == 4401


async def test_private_room_accepts_a_logged_in_user(ws, user, session_cookie):
    alice, history, name = await join(ws, "private-staff", cookie=session_cookie)
    assert name == user.username
    assert history["messages"] == []

    message = await say(alice, "staff only")
    assert message["user"] == user.username
    stored = await Message.objects.select_related("user").aget(id=message["id"])
    assert stored.user == user


async def test_a_refused_guest_never_joins_or_leaves(ws, user, session_cookie):
    alice, _, _ = await join(ws, "private-staff", cookie=session_cookie)
    guest = ws("/ws/chat/private-staff/")
    await guest.connect()
    assert (await guest.receive_output())["code"] == CLOSE_LOGIN_REQUIRED

    await guest.disconnect()

    assert await alice.receive_nothing()


async def test_a_wrong_session_cookie_counts_as_anonymous(ws):
    communicator = ws("/ws/chat/private-staff/", cookie=(b"cookie", b"sessionid=forged"))
    assert (await communicator.connect())[0]
    assert (await communicator.receive_output())["code"] == CLOSE_LOGIN_REQUIRED


async def test_logged_in_users_chat_under_their_username_in_public_rooms(ws, user, session_cookie):
    _, _, name = await join(ws, "lobby", cookie=session_cookie)
    assert name == "alice"
    assert await sync_to_async(user.get_username)() == name


async def test_guest_name_is_fixed_per_connection(ws):
    alice, _, name = await join(ws)
    assert (await say(alice, "one"))["user"] == name
    assert (await say(alice, "two"))["user"] == name


@pytest.mark.parametrize("headers", [[(b"origin", b"http://evil.example")], []])
async def test_foreign_origin_is_rejected(ws, headers):
    communicator = ws("/ws/chat/lobby/", headers=headers)
    connected, _ = await communicator.connect()
    assert not connected
    assert await Message.objects.acount() == 0


@pytest.mark.parametrize("room", ["a" * 51, "bad room", "caf%C3%A9", "a/b"])
async def test_room_names_outside_the_group_alphabet_have_no_route(room):
    communicator = WebsocketCommunicator(
        application, f"/ws/chat/{room}/", headers=[(b"origin", b"http://localhost")]
    )
    # URLRouter raises as soon as the app is called: the connection never gets anywhere.
    with pytest.raises(ValueError, match="No route found"):
        await communicator.wait()
