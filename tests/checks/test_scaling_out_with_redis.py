"""Lesson 08's checks on wrong answers: each one fails, and is told why.

Each wrong answer is the model ``layer_settings`` or ``broadcast`` (from the solutions
notebook) with one realistic mistake, so it fails for exactly that mistake. No Redis is
needed: the checks read the layer Channels would build, and send through an in-memory
layer. The solution's full marks and the released stub's zero are tested in
test_both_ways.py.
"""

import pytest
from channels.layers import channel_layers

from course.checks import grade
from course.checks.scaling_out_with_redis import cross_process_broadcast
from tests.checks.helpers import (
    SOLUTIONS_DIR,
    failing,
    messages,
    solution_namespace,
)

NOTEBOOK = SOLUTIONS_DIR / "08-scaling-out-with-redis.ipynb"
EXERCISE = "cross-process-broadcast"
CHECKS = [check.name for check in cross_process_broadcast]
SETTINGS_CHECKS = ["uses_redis", "points_at_the_url", "outlasts_the_blocking_pop"]
BROADCAST_CHECKS = ["reaches_the_group", "chat_consumer_relays_it"]
model_settings = solution_namespace(NOTEBOOK, "layer_settings")["layer_settings"]
model_broadcast = solution_namespace(NOTEBOOK, "broadcast")["broadcast"]

# The ChatConsumer reads the room's history from the demo database on connect.
pytestmark = pytest.mark.django_db(transaction=True)


def graded(layer_settings=model_settings, broadcast=model_broadcast):
    return grade(EXERCISE, {"layer_settings": layer_settings, "broadcast": broadcast})


def redis_settings(config, backend="channels_redis.core.RedisChannelLayer"):
    return {"default": {"BACKEND": backend, "CONFIG": config}}


# ---- the model answer ----------------------------------------------------------------------


def test_a_host_dict_without_a_socket_timeout_is_right_too():
    def with_a_dict(redis_url, prefix):
        return redis_settings(
            {"hosts": [{"address": redis_url, "socket_timeout": None}], "prefix": prefix}
        )

    assert graded(layer_settings=with_a_dict).score.full


def test_the_relay_check_leaves_no_layer_behind():
    before = set(channel_layers.backends)

    assert graded().score.full
    assert set(channel_layers.backends) == before


# ---- wrong settings: the model with one mistake --------------------------------------------


def in_memory(redis_url, prefix):
    return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def host_not_hosts(redis_url, prefix):
    return redis_settings({"host": redis_url + "?socket_timeout=30", "prefix": prefix})


def hosts_a_string(redis_url, prefix):
    return redis_settings({"hosts": redis_url + "?socket_timeout=30", "prefix": prefix})


def host_and_port_only(redis_url, prefix):
    return redis_settings({"hosts": [("127.0.0.1", 6390)], "prefix": prefix})


def prefix_ignored(redis_url, prefix):
    return redis_settings({"hosts": [redis_url + "?socket_timeout=30"]})


def default_socket_timeout(redis_url, prefix):
    return redis_settings({"hosts": [redis_url], "prefix": prefix})


def only_the_entry(redis_url, prefix):
    return model_settings(redis_url, prefix)["default"]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (in_memory, {"uses_redis": "it lives inside one process", "points_at_the_url": ""}),
        (host_not_hosts, {"points_at_the_url": "keyword for the server is 'hosts'"}),
        (hosts_a_string, {"points_at_the_url": "'hosts' is a list, even for one Redis"}),
        (host_and_port_only, {"points_at_the_url": "a (host, port) pair drops the password"}),
        (prefix_ignored, {"points_at_the_url": "pass the prefix argument through"}),
        (default_socket_timeout, {"outlasts_the_blocking_pop": "give up on a read after 5 s"}),
        (only_the_entry, {c: "return the whole CHANNEL_LAYERS setting" for c in SETTINGS_CHECKS}),
    ],
    ids=lambda value: value.__name__ if callable(value) else None,
)
def test_a_wrong_setting_is_told_why(answer, expected):
    report = graded(layer_settings=answer)

    wrong = failing(report)
    # The in-memory layer fails the later checks too, each for its own reason.
    assert set(expected) <= set(wrong) <= set(SETTINGS_CHECKS), messages(report)
    assert {r.status for r in report.results if not r.passed} == {"failed"}, messages(report)
    for check, fragment in expected.items():
        assert fragment in wrong[check], wrong[check]


# ---- wrong broadcasts ----------------------------------------------------------------------


async def underscored_type(layer, room, text):
    await layer.group_send(f"chat.{room}", {"type": "chat_message", "user": "server", "text": text})


async def to_a_channel(layer, room, text):
    await layer.send(f"chat.{room}", {"type": "chat.message", "user": "server", "text": text})


async def group_without_chat_prefix(layer, room, text):
    await layer.group_send(room, {"type": "chat.message", "user": "server", "text": text})


async def the_frame_type(layer, room, text):
    await layer.group_send(f"chat.{room}", {"type": "message", "user": "server", "text": text})


async def through_the_default_layer(layer, room, text):
    from channels.layers import get_channel_layer

    await model_broadcast(get_channel_layer(), room, text)


async def waits_for_an_answer(layer, room, text):
    await model_broadcast(layer, room, text)
    await layer.receive(await layer.new_channel())


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (underscored_type, {"reaches_the_group": "the event's type is 'chat_message'"}),
        (
            to_a_channel,
            {
                "reaches_the_group": "on the channel 'chat.lobby', which no consumer reads",
                "chat_consumer_relays_it": "got no frame after broadcast",
            },
        ),
        (
            group_without_chat_prefix,
            {
                "reaches_the_group": "the group the demo's ChatConsumer joins: 'chat.' + room",
                "chat_consumer_relays_it": "got no frame after broadcast",
            },
        ),
        (
            the_frame_type,
            {
                "reaches_the_group": "'message' is the type of the frame",
                "chat_consumer_relays_it": "No handler for message type message",
            },
        ),
        (
            through_the_default_layer,
            {
                "reaches_the_group": "not get_channel_layer()",
                "chat_consumer_relays_it": "got no frame after broadcast",
            },
        ),
        (waits_for_an_answer, {c: "did not return within 0.5 s" for c in BROADCAST_CHECKS}),
    ],
    ids=lambda value: value.__name__ if callable(value) else None,
)
def test_a_wrong_broadcast_is_told_why(answer, expected):
    report = graded(broadcast=answer)

    wrong = failing(report)
    assert set(wrong) == set(expected), messages(report)
    assert {r.status for r in report.results if not r.passed} == {"failed"}, messages(report)
    for check, fragment in expected.items():
        assert fragment in wrong[check], wrong[check]
