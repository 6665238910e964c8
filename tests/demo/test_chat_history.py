"""{"type": "history", "after": ID}: what a chat client missed, page by page, from the database."""

import json

import pytest

from chat.consumers import HISTORY_PAGE, MAX_ID
from chat.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


async def join(ws, room="lobby"):
    """Connect to a room and read its opening frames; return the communicator and our name."""
    communicator = ws(f"/ws/chat/{room}/")
    assert (await communicator.connect())[0]
    assert set(await communicator.receive_json_from()) == {"type", "messages"}  # no "more"
    presence = await communicator.receive_json_from()
    assert presence["event"] == "join"
    return communicator, presence["user"]


async def say(communicator, text):
    await communicator.send_json_to({"type": "message", "text": text})
    return await communicator.receive_json_from()


async def store(room, count, prefix="m"):
    """``count`` messages in ``room``, stored one by one (so their ids grow); their ids."""
    return [
        (await Message.objects.acreate(room=room, author="old", text=f"{prefix}{i}")).id
        for i in range(count)
    ]


async def ask(communicator, after):
    await communicator.send_json_to({"type": "history", "after": after})
    return await communicator.receive_json_from()


async def test_every_message_frame_carries_its_stored_id(ws):
    alice, _ = await join(ws)

    first = await say(alice, "one")
    second = await say(alice, "two")

    assert first["id"] < second["id"]
    assert [m.id async for m in Message.objects.order_by("id")] == [first["id"], second["id"]]


async def test_history_after_an_id_pages_through_the_room_oldest_first(ws):
    ids = await store("lobby", 2 * HISTORY_PAGE + 5)
    alice, _ = await join(ws)

    pages = [await ask(alice, 0)]
    while pages[-1]["more"]:
        pages.append(await ask(alice, pages[-1]["messages"][-1]["id"]))

    assert [len(page["messages"]) for page in pages] == [HISTORY_PAGE, HISTORY_PAGE, 5]
    assert [page["more"] for page in pages] == [True, True, False]
    received = [message for page in pages for message in page["messages"]]
    assert [m["id"] for m in received] == ids  # all of them, in order, each once
    assert [m["text"] for m in received] == [f"m{i}" for i in range(len(ids))]
    assert set(received[0]) == {"type", "id", "user", "text", "created"}
    assert set(pages[0]) == {"type", "messages", "more"}


async def test_history_starts_after_the_given_id_and_skips_other_rooms(ws):
    lobby_ids = []
    for _ in range(3):  # the rooms' messages interleave: lobby ids have holes
        lobby_ids += await store("lobby", 2)
        await store("elsewhere", 2, prefix="x")
    alice, _ = await join(ws)

    answer = await ask(alice, lobby_ids[1])

    assert [m["id"] for m in answer["messages"]] == lobby_ids[2:]
    assert answer["more"] is False
    assert await ask(alice, lobby_ids[-1]) == {"type": "history", "messages": [], "more": False}
    # An id that was never a lobby message works too: messages after it, wherever it was.
    assert [m["id"] for m in (await ask(alice, lobby_ids[2] - 1))["messages"]] == lobby_ids[2:]


async def test_a_full_last_page_says_more_only_when_another_follows(ws):
    ids = await store("lobby", HISTORY_PAGE)
    alice, _ = await join(ws)

    answer = await ask(alice, 0)

    assert len(answer["messages"]) == HISTORY_PAGE
    assert answer["more"] is False
    await store("lobby", 1)
    assert (await ask(alice, 0))["more"] is True
    assert len((await ask(alice, ids[-1]))["messages"]) == 1


async def test_history_answers_only_the_one_who_asked(ws):
    await store("lobby", 3)
    alice, _ = await join(ws)
    bob, bob_name = await join(ws)
    assert (await alice.receive_json_from())["user"] == bob_name  # bob's join

    assert len((await ask(bob, 0))["messages"]) == 3

    assert await alice.receive_nothing()


async def test_messages_missed_live_are_in_the_history(ws):
    alice, _ = await join(ws)
    bob, _ = await join(ws)
    await alice.receive_json_from()  # bob's join
    seen = await say(alice, "seen by bob")
    assert (await bob.receive_json_from())["id"] == seen["id"]

    await bob.disconnect()
    await alice.receive_json_from()  # bob's leave
    missed = [(await say(alice, f"missed {i}"))["id"] for i in range(3)]
    bob, _ = await join(ws)  # back: asks for everything after the last id he saw

    answer = await ask(bob, seen["id"])

    assert [m["id"] for m in answer["messages"]] == missed
    assert answer["more"] is False


@pytest.mark.parametrize(
    ("after", "explained"),
    [
        (None, "whole number"),  # "after" missing
        ("12", "whole number"),
        (1.5, "whole number"),
        (3.0, "whole number"),
        (True, "whole number"),
        ([1], "whole number"),
        ({"id": 1}, "whole number"),
        (-1, "between 0 and"),
        (MAX_ID + 1, "between 0 and"),
        (10**100, "between 0 and"),
    ],
)
async def test_a_bad_after_gets_an_error_frame_and_the_consumer_still_serves(ws, after, explained):
    await store("lobby", 2)
    alice, _ = await join(ws)
    frame = {"type": "history"} if after is None else {"type": "history", "after": after}

    await alice.send_to(text_data=json.dumps(frame))
    error = await alice.receive_json_from()

    assert error["type"] == "error"
    assert error["code"] == "bad_after"
    assert explained in error["message"]
    assert '{"type": "history", "after": 0}' in error["message"]
    # Still connected: history and chat both still work.
    assert len((await ask(alice, 0))["messages"]) == 2
    assert (await say(alice, "still here"))["text"] == "still here"


async def test_the_largest_id_is_a_valid_after(ws):
    await store("lobby", 1)
    alice, _ = await join(ws)

    assert await ask(alice, MAX_ID) == {"type": "history", "messages": [], "more": False}


async def test_a_refused_guest_cannot_read_a_private_rooms_history(ws):
    await store("private-staff", 2)
    guest = ws("/ws/chat/private-staff/")
    assert (await guest.connect())[0]
    assert (await guest.receive_output())["type"] == "websocket.close"

    await guest.send_json_to({"type": "history", "after": 0})
    await guest.send_json_to({"type": "message", "text": "sneaking in"})

    assert await guest.receive_nothing()
    assert await Message.objects.acount() == 2
