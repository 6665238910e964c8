"""Lesson 07's checks on wrong answers: each one fails, and is told why.

Each wrong answer below is the model (from the solutions notebook) with one mistake, the
kind a student makes. The checks run on pytest-django's test database. The solution's full
marks and the released stub's zero are tested in test_both_ways.py.
"""

import pytest
from channels.db import database_sync_to_async

from chat.models import Message
from course.checks import grade
from tests.checks import wrong
from tests.checks.helpers import (
    SOLUTIONS_DIR,
    failing,
    message_of,
    messages,
    solution_namespace,
    status_of,
)
from tests.checks.wrong import WrongAnswer

pytestmark = pytest.mark.django_db(transaction=True)  # the checks use the DB from threads

NOTEBOOK = SOLUTIONS_DIR / "07-databases-sessions-and-auth.ipynb"
EXERCISE = "room-history"
CHECKS = [
    "stores_each_message",
    "relays_to_the_room",
    "replays_oldest_first",
    "replays_only_the_last_ones",
]
MODEL = solution_namespace(NOTEBOOK, "HistoryConsumer")["HistoryConsumer"]


# ---- what students write: graded in a kernel through check() and in batch (wrong.py) -------

JOIN = """
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()"""
REPLAY = """
        newest_first = Message.objects.filter(room=self.room).order_by("-created", "-id")
        recent = [message async for message in newest_first[: self.history_length]]
        for message in reversed(recent):
            await self.send_json({"author": message.author, "text": message.text})
"""
STORE = """
        author, text = content["author"], content["text"]
        await Message.objects.acreate(room=self.room, author=author, text=text)
        event = {"type": "room.message", "author": author, "text": text}
        await self.channel_layer.group_send(self.group, event)
"""
LEAVE = """
        await self.channel_layer.group_discard(self.group, self.channel_name)
"""
RELAY = """
        await self.send_json({"author": event["author"], "text": event["text"]})
"""
CELL = """
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from chat.models import Message


class HistoryConsumer(AsyncJsonWebsocketConsumer):
    history_length = 5

    async def connect(self):
        self.room = self.scope["url_route"]["kwargs"]["room"]
        self.group = f"history.{{self.room}}"
{join}{replay}
    async def disconnect(self, code):
{leave}
    async def receive_json(self, content, **kwargs):
{store}
    async def room_message(self, event):
{relay}"""


def history_consumer(name, says, join=JOIN, replay=REPLAY, leave=LEAVE, store=STORE, relay=RELAY):
    """A WrongAnswer: the exercise's cell with the parts the student writes as given."""
    source = CELL.format(join=join, replay=replay, leave=leave, store=store, relay=relay)
    return WrongAnswer(EXERCISE, name, source, "HistoryConsumer", says)


WRONG_ANSWERS = [
    history_consumer(
        "no-room-filter",
        "messages of other rooms",
        replay=REPLAY.replace("filter(room=self.room).", ""),
    ),
    history_consumer(
        "newest-first",
        "newest first",
        replay=REPLAY.replace("reversed(recent)", "recent"),
    ),
    history_consumer(
        "oldest-five",
        "first 5",
        replay="""
        oldest_first = Message.objects.filter(room=self.room).order_by("created")
        for message in [m async for m in oldest_first[: self.history_length]]:
            await self.send_json({"author": message.author, "text": message.text})
""",
    ),
    history_consumer(
        "negative-slice",
        "negative index",
        replay="""
        oldest_first = Message.objects.filter(room=self.room).order_by("created", "id")
        async for message in oldest_first[-self.history_length :]:
            await self.send_json({"author": message.author, "text": message.text})
""",
    ),
    history_consumer(
        "sync-orm-list",
        "SynchronousOnlyOperation",
        replay=REPLAY.replace(
            "[message async for message in newest_first[: self.history_length]]",
            "list(newest_first[: self.history_length])",
        ),
    ),
    history_consumer(
        "history-in-one-frame",
        "each message goes out as its own frame",
        replay="""
        newest_first = Message.objects.filter(room=self.room).order_by("-created", "-id")
        recent = [message async for message in newest_first[: self.history_length]]
        history = [{"author": m.author, "text": m.text} for m in reversed(recent)]
        await self.send_json({"history": history})
""",
    ),
    history_consumer(
        "stores-in-the-handler",
        "room_message runs once for each member",
        store="""
        event = {"type": "room.message", "author": content["author"], "text": content["text"]}
        await self.channel_layer.group_send(self.group, event)
""",
        relay="""
        await Message.objects.acreate(room=self.room, author=event["author"], text=event["text"])
        await self.send_json({"author": event["author"], "text": event["text"]})
""",
    ),
    history_consumer(
        "answers-only-the-sender",
        "group_send it to the room's group",
        store=STORE.replace(
            "await self.channel_layer.group_send(self.group, event)",
            'await self.send_json({"author": author, "text": text})',
        ),
    ),
    history_consumer(
        "never-joins-the-group",
        "joins in connect() with group_add",
        join=JOIN.replace("await self.channel_layer.group_add(self.group, self.channel_name)", ""),
    ),
    history_consumer("stays-in-the-group", "still in the room's group", leave="        pass\n"),
    history_consumer("never-relays", "send_json's it to its own client", relay="        pass\n"),
]
test_wrong_answers_lose_points_in_a_kernel, test_wrong_answers_lose_points_in_batch = (
    wrong.tests_for(WRONG_ANSWERS)
)


def graded(consumer):
    return grade(EXERCISE, {"HistoryConsumer": consumer})


# ---- the model answer ----------------------------------------------------------------------


async def test_the_model_answer_replays_and_relays_in_the_kernels_own_loop():
    """What the notebook's "try it" cells do, outside any check: Ada talks, then Bob joins."""
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator
    from django.urls import path

    app = URLRouter([path("ws/history/<str:room>/", MODEL.as_asgi())])

    ada = WebsocketCommunicator(app, "/ws/history/test/")
    await ada.connect()
    for i in range(7):
        await ada.send_json_to({"author": "ada", "text": f"m{i}"})
        assert await ada.receive_json_from() == {"author": "ada", "text": f"m{i}"}
    bob = WebsocketCommunicator(app, "/ws/history/test/")
    await bob.connect()
    heard = [(await bob.receive_json_from())["text"] for _ in range(5)]
    assert await bob.receive_nothing()
    await ada.disconnect()
    await bob.disconnect()

    assert heard == ["m2", "m3", "m4", "m5", "m6"]


# ---- wrong answers: the model with one mistake ---------------------------------------------


async def join(self):
    """The given start of connect(): the room, its group, accept."""
    self.room = self.scope["url_route"]["kwargs"]["room"]
    self.group = f"history.{self.room}"
    await self.channel_layer.group_add(self.group, self.channel_name)
    await self.accept()


async def joins_no_group(self):
    self.room = self.scope["url_route"]["kwargs"]["room"]
    self.group = f"history.{self.room}"
    await self.accept()
    newest = Message.objects.filter(room=self.room).order_by("-created", "-id")
    await send_all(self, [m async for m in newest[: self.history_length]][::-1])


async def stays_in_the_group(self, code):
    pass


async def send_all(self, rows):
    for message in rows:
        await self.send_json({"author": message.author, "text": message.text})


async def replays_newest_first(self):
    await join(self)
    newest = Message.objects.filter(room=self.room).order_by("-created", "-id")
    await send_all(self, [m async for m in newest[: self.history_length]])


async def replays_everything(self):
    await join(self)
    await send_all(self, [m async for m in Message.objects.filter(room=self.room)])


async def replays_the_first_ones(self):
    await join(self)
    oldest = Message.objects.filter(room=self.room)[: self.history_length]
    await send_all(self, [m async for m in oldest])


async def replays_a_hard_coded_five(self):
    await join(self)
    newest = Message.objects.filter(room=self.room).order_by("-created", "-id")
    await send_all(self, [m async for m in newest[:5]][::-1])


async def replays_with_the_sync_orm(self):
    await join(self)
    newest = Message.objects.filter(room=self.room).order_by("-created", "-id")
    await send_all(self, list(newest[: self.history_length])[::-1])  # runs the query: sync


async def never_replays(self):
    await join(self)


async def replays_every_room(self):
    await join(self)
    newest = Message.objects.order_by("-created", "-id")
    await send_all(self, [m async for m in newest[: self.history_length]][::-1])


async def replays_by_negative_slice(self):
    await join(self)
    oldest = Message.objects.filter(room=self.room).order_by("created")
    await send_all(self, [m async for m in oldest[-self.history_length :]])


async def stores_per_member(self, event):
    await Message.objects.acreate(room=self.room, author=event["author"], text=event["text"])
    await self.send_json({"author": event["author"], "text": event["text"]})


async def relays_only(self, content, **kwargs):
    await relay(self, content["author"], content["text"])


async def relay(self, author, text):
    event = {"type": "room.message", "author": author, "text": text}
    await self.channel_layer.group_send(self.group, event)


async def does_not_store(self, content, **kwargs):
    await relay(self, content["author"], content["text"])


async def stores_with_the_sync_orm(self, content, **kwargs):
    Message.objects.create(room=self.room, author=content["author"], text=content["text"])
    await relay(self, content["author"], content["text"])


async def stores_in_the_wrong_room(self, content, **kwargs):
    await Message.objects.acreate(room="lobby", author=content["author"], text=content["text"])
    await relay(self, content["author"], content["text"])


async def answers_only_the_sender(self, content, **kwargs):
    await Message.objects.acreate(room=self.room, author=content["author"], text=content["text"])
    await self.send_json({"author": content["author"], "text": content["text"]})


def with_mistake(**methods):
    return type("HistoryConsumer", (MODEL,), methods)


@pytest.mark.parametrize(
    ("mistake", "wrong", "fragment"),
    [
        (
            {"connect": replays_newest_first},
            ["replays_oldest_first", "replays_only_the_last_ones"],
            "newest first",
        ),
        ({"connect": replays_everything}, ["replays_only_the_last_ones"], "received 8"),
        ({"connect": replays_the_first_ones}, ["replays_only_the_last_ones"], "first 5"),
        (
            {"connect": replays_a_hard_coded_five},
            ["replays_only_the_last_ones"],
            "use self.history_length, not the number 5",
        ),
        (
            {"connect": never_replays},
            ["replays_oldest_first", "replays_only_the_last_ones"],
            "received nothing",
        ),
        ({"receive_json": does_not_store}, ["stores_each_message"], "no Message row holds it"),
        (
            {"connect": replays_every_room},
            ["replays_oldest_first", "replays_only_the_last_ones"],
            "messages of other rooms",
        ),
        ({"connect": replays_by_negative_slice}, CHECKS, "with a negative index"),
        (
            {"receive_json": relays_only, "room_message": stores_per_member},
            ["relays_to_the_room"],
            "room_message runs once for each member",
        ),
        (
            {"receive_json": stores_in_the_wrong_room},
            ["stores_each_message"],
            "the room is the one in the URL",
        ),
        (
            {"receive_json": answers_only_the_sender},
            ["relays_to_the_room"],
            "bob received []",
        ),
        ({"history_length": 10}, ["replays_only_the_last_ones"], "history_length = 5"),
        ({"connect": joins_no_group}, ["relays_to_the_room"], "with group_add"),
        ({"disconnect": stays_in_the_group}, ["relays_to_the_room"], "still in the room's group"),
    ],
    ids=lambda value: (
        "-".join(f.__name__ if callable(f) else k for k, f in value.items())
        if isinstance(value, dict)
        else None
    ),
)
def test_a_wrong_answer_fails_the_checks_it_should_and_says_why(mistake, wrong, fragment):
    report = graded(with_mistake(**mistake))

    assert list(failing(report)) == wrong, messages(report)
    for check in wrong:
        assert status_of(report, check) == "failed", messages(report)
        assert fragment.lower() in message_of(report, check).lower(), messages(report)
    assert Message.objects.count() == 0, "a check left rows behind"


@pytest.mark.parametrize(
    ("mistake", "wrong"),
    [
        ({"connect": replays_with_the_sync_orm}, CHECKS),
        ({"receive_json": stores_with_the_sync_orm}, CHECKS[:2]),
    ],
    ids=["sync-orm-in-connect", "sync-orm-in-receive_json"],
)
def test_the_sync_orm_in_the_consumer_is_explained(mistake, wrong):
    report = graded(with_mistake(**mistake))

    assert list(failing(report)) == wrong, messages(report)
    for check in wrong:
        message = message_of(report, check)
        assert status_of(report, check) == "failed"
        assert "SynchronousOnlyOperation" in message
        assert "async ORM" in message and "database_sync_to_async" in message
        assert "queryset is lazy" in message


@database_sync_to_async
def last_messages(room, count):
    """Sync ORM in a thread: a plain for loop and list() are fine in here."""
    newest = list(Message.objects.filter(room=room).order_by("-id")[:count])
    return [(m.author, m.text) for m in reversed(newest)]


async def replays_from_a_thread(self):
    await join(self)
    for author, text in await last_messages(self.room, self.history_length):
        await self.send_json({"author": author, "text": text})


async def stores_from_a_thread(self, content, **kwargs):
    create = database_sync_to_async(Message.objects.create)
    await create(room=self.room, author=content["author"], text=content["text"])
    await relay(self, content["author"], content["text"])


def test_a_right_answer_with_database_sync_to_async_gets_full_marks():
    consumer = with_mistake(connect=replays_from_a_thread, receive_json=stores_from_a_thread)

    report = graded(consumer)

    assert report.score.full, messages(report)


def test_a_function_is_not_a_consumer_class():
    async def HistoryConsumer(scope, receive, send):
        return None

    report = graded(HistoryConsumer)

    assert report.score.points == 0
    assert "not a consumer class" in report.results[0].message
