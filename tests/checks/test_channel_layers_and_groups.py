"""Lesson 06's checks on wrong RoomConsumers: each one fails, and is told why.

Each wrong answer is the model (from the solutions notebook) with one realistic mistake, so
it fails for exactly that mistake. The solution's full marks and the released stub's zero
are tested in test_both_ways.py.
"""

import asyncio
from urllib.parse import parse_qs

import pytest
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers, get_channel_layer

from course.checks import grade
from course.checks.channel_layers_and_groups import room_consumer
from tests.checks import wrong
from tests.checks.helpers import (
    SOLUTIONS_DIR,
    cell_defining,
    failing,
    messages,
    solution_namespace,
)
from tests.checks.wrong import WrongAnswer

NOTEBOOK = SOLUTIONS_DIR / "06-channel-layers-and-groups.ipynb"
EXERCISE = "room-consumer"
CHECKS = [check.name for check in room_consumer]
Model = solution_namespace(NOTEBOOK, "RoomConsumer")["RoomConsumer"]

# A consumer closes stale database connections in a worker thread around every handler; for
# pytest-django that is database access, refused without this mark once an earlier test
# left a connection open.
pytestmark = pytest.mark.django_db(transaction=True)


def graded(consumer):
    return grade(EXERCISE, {"RoomConsumer": consumer})


# ---- the model answer ----------------------------------------------------------------------


def test_a_check_puts_the_kernels_layer_back_and_ignores_its_event_loop():
    kernel_layer = get_channel_layer()

    async def use_it_on_another_loop():  # as the kernel's loop does before check() runs
        inbox = await kernel_layer.new_channel()
        await kernel_layer.send(inbox, {"type": "note"})

    asyncio.run(use_it_on_another_loop())

    assert graded(Model).score.full
    assert get_channel_layer() is kernel_layer


def test_a_layer_never_built_before_the_check_is_not_left_behind():
    saved = channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
    try:
        assert graded(Model).score.full
        assert DEFAULT_CHANNEL_LAYER not in channel_layers.backends
    finally:
        if saved is not None:
            channel_layers.set(DEFAULT_CHANNEL_LAYER, saved)


def test_a_right_answer_is_judged_once_the_room_settles_not_after_a_quiet_spell():
    """Each event handled 0.15 s late, as on a busy machine: longer than the quiet 0.1 s the
    checks once took for "nothing more is coming", which failed this answer every time."""

    class SlowButRight(Model):
        async def room_frame(self, event):
            await asyncio.sleep(0.15)
            await super().room_frame(event)

    report = graded(SlowButRight)

    assert report.score.full, messages(report)


# ---- wrong answers: the model with one mistake ---------------------------------------------


def name_room(consumer):
    consumer.user = parse_qs(consumer.scope["query_string"].decode())["user"][0]
    consumer.group = f"room_{consumer.scope['url_route']['kwargs']['name']}"


async def tell(consumer, frame):
    await consumer.channel_layer.group_send(consumer.group, {"type": "room.frame", "frame": frame})


class NeverJoinsTheGroup(Model):
    async def connect(self):
        name_room(self)
        await tell(self, {"type": "join", "user": self.user})
        await self.accept()


class SendsOnlyToItself(Model):
    async def receive_json(self, content, **kwargs):
        await self.send_json({"type": "message", "user": self.user, "text": content["text"]})


class ForgetsGroupDiscard(Model):
    async def disconnect(self, code):
        await tell(self, {"type": "leave", "user": self.user})


class TypeWithNoHandler(Model):
    """Sends "room.message" events, but has no room_message method to handle them."""

    async def receive_json(self, content, **kwargs):
        frame = {"type": "message", "user": self.user, "text": content["text"]}
        await self.channel_layer.group_send(self.group, {"type": "room.message", "frame": frame})


class NoLeaveAnnouncement(Model):
    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)


class HearsItsOwnJoin(Model):
    async def connect(self):
        name_room(self)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await tell(self, {"type": "join", "user": self.user})


class OneGroupForEveryRoom(Model):
    async def connect(self):
        name_room(self)
        self.group = "room"
        await tell(self, {"type": "join", "user": self.user})
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()


class NeverAccepts(Model):
    async def connect(self):
        name_room(self)
        await self.channel_layer.group_add(self.group, self.channel_name)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (NeverJoinsTheGroup, {c: "" for c in CHECKS} | {"joins_the_group": "has 0 members"}),
        (SendsOnlyToItself, {"message_reaches_everyone": "not to this one client with send_json"}),
        (ForgetsGroupDiscard, {"announces_leaves": "her channel is still in the room's group"}),
        (TypeWithNoHandler, {"message_reaches_everyone": "'room.message' calls room_message"}),
        (NoLeaveAnnouncement, {"announces_leaves": "without {'type': 'leave', 'user': 'Grace'}"}),
        (HearsItsOwnJoin, {"announces_joins": "Grace received her own join"}),
        (
            OneGroupForEveryRoom,
            {
                "joins_the_group": "the layer has the groups ['room']",
                "rooms_are_apart": "Grace is in kitchen, yet received Ada's message",
            },
        ),
        (NeverAccepts, {c: "neither accepted nor closed" for c in CHECKS}),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_a_wrong_room_consumer_is_told_why(answer, expected):
    report = graded(answer)

    wrong = failing(report)
    assert set(wrong) == set(expected), messages(report)
    assert {r.status for r in report.results if not r.passed} == {"failed"}, messages(report)
    for check, fragment in expected.items():
        assert fragment in wrong[check], wrong[check]


def test_a_handler_type_with_dots_names_the_method_it_calls():
    message = failing(graded(TypeWithNoHandler))["message_reaches_everyone"]

    assert "consumer crashed with ValueError: No handler for message type room.message" in message
    assert "dots turned into underscores" in message


def test_a_consumer_that_is_not_a_class_is_told_to_subclass():
    async def RoomConsumer(scope, receive, send):
        return None

    report = graded(RoomConsumer)

    assert report.score.points == 0
    assert "not a consumer class" in report.results[0].message


def test_a_crash_of_the_students_own_making_says_where():
    class ReadsAMissingKey(Model):
        async def receive_json(self, content, **kwargs):
            await tell(self, {"type": "message", "user": self.user, "text": content["body"]})

    report = graded(ReadsAMissingKey)

    result = next(r for r in report.results if r.check == "message_reaches_everyone")
    assert result.status == "error"
    assert "KeyError: 'body'" in result.message and "(in receive_json, line" in result.message


# ---- what students write: graded in a kernel through check() and in batch (wrong.py) -------

SOLUTION = cell_defining(NOTEBOOK, "RoomConsumer")
GROUP_ADD = "await self.channel_layer.group_add(self.group, self.channel_name)"
PASS_ON = 'await self.channel_layer.group_send(self.group, {"type": "room.frame", "frame": frame})'
DISCARD = "        await self.channel_layer.group_discard(self.group, self.channel_name)\n"


def room_consumer_with(name, says, *edits):
    """A WrongAnswer: the solution's cell with each (old, new) of ``edits`` made."""
    source = SOLUTION
    for old, new in edits:
        assert old in source, old
        source = source.replace(old, new)
    return WrongAnswer(EXERCISE, name, source, "RoomConsumer", says)


WRONG_ANSWERS = [
    room_consumer_with(
        "send-given-a-dict",
        "Send a dict with self.send_json(...)",
        ('await self.send_json(event["frame"])', 'await self.send(event["frame"])'),
    ),
    room_consumer_with(
        "sends-the-whole-event",
        "self.send_json(event['frame']), not the event",
        ('await self.send_json(event["frame"])', "await self.send_json(event)"),
    ),
    room_consumer_with(
        "group-add-not-awaited",
        "called self.channel_layer.group_add without await",
        (GROUP_ADD, GROUP_ADD.removeprefix("await ")),
    ),
    room_consumer_with(
        "group-add-arguments-swapped",
        "It is group_add(group, channel)",
        (GROUP_ADD, "await self.channel_layer.group_add(self.channel_name, self.group)"),
    ),
    room_consumer_with(
        "connect-a-plain-def",
        "RoomConsumer.connect is a plain def",
        ("    async def connect(self):", "    def connect(self):"),
        (
            "        await self.channel_layer.group_send(\n",
            "        self.channel_layer.group_send(\n",
        ),
        (GROUP_ADD, GROUP_ADD.removeprefix("await ")),
        ("        await self.accept()", "        self.accept()"),
    ),
    room_consumer_with(
        "the-frame-sent-without-an-event-type",
        "'message' calls message(self, event)",
        (PASS_ON, "await self.channel_layer.group_send(self.group, frame)"),
    ),
    room_consumer_with(
        "user-from-the-scope",
        "read it from self.scope['query_string']",
        (
            'parse_qs(self.scope["query_string"].decode()).get("user", ["guest"])[0]',
            'self.scope["user"].username',
        ),
    ),
    room_consumer_with(
        "group-set-on-the-class",
        "RoomConsumer.group was set on the class",
        ('        self.group = f"room_', '        RoomConsumer.group = f"room_'),
    ),
    room_consumer_with(
        "reply-to-the-sender-only",
        "not to this one client with send_json",
        (PASS_ON, "await self.send_json(frame)"),
    ),
    room_consumer_with(
        "never-leaves-the-group",
        "her channel is still in the room's group",
        (DISCARD, ""),
    ),
]
test_wrong_answers_lose_points_in_a_kernel, test_wrong_answers_lose_points_in_batch = (
    wrong.tests_for(WRONG_ANSWERS)
)
test_each_wrong_answer_loses_points_and_is_told_why_in_process = wrong.in_process_test(
    WRONG_ANSWERS
)
