"""Lesson 08's exercise: a Redis layer setting whose idle consumers die, fixed; then a
broadcast to a chat room from outside the server that holds its clients.

``patient_layers`` is graded by what Channels would build from the setting it returns
(course/checks/_support/redis_hosts.py): no Redis is needed. ``broadcast`` is graded on a
fresh InMemoryChannelLayer made inside the check (a layer's queues belong to the event loop
that uses them, and a check runs on a loop of its own), whose sends are recorded
(course/checks/_support/awaits.py), so a check can say where an event went, or that it never
left: the question is where the event goes and what it looks like, the same on every layer.
The last check puts the demo's own ChatConsumer behind it (course/checks/_support/demo_chat.py).
"""

from __future__ import annotations

import asyncio
import copy
import inspect
from typing import Any

from course.checking.model import Exercise, Fail, expect
from course.checks._support.awaits import Calls, record_calls, without_await
from course.checks._support.demo_chat import WAIT, chat_client
from course.checks._support.redis_hosts import BACKEND, fixed_by, grade_setting
from course.checks._support.rooms import as_default_layer

LESSON = "08-one-redis-between-servers"

cross_process_broadcast = Exercise("cross-process-broadcast", LESSON)
EXERCISES = [cross_process_broadcast]

SERVER = "redis://:s3cret@10.0.0.7:6390/2"


def _redis(*hosts: Any, **config: Any) -> dict[str, Any]:
    return {"BACKEND": BACKEND, "CONFIG": {"hosts": list(hosts), **config}}


ONE_URL = {"default": _redis(SERVER, prefix="chat-prod", capacity=300)}
A_QUERY = {"default": _redis("redis://:s3cret@10.0.0.7:6390?db=2&socket_timeout=5", prefix="chat")}
DICTS = {
    "default": _redis(
        {"address": SERVER, "socket_timeout": 5, "retry_on_timeout": True},
        {"address": "redis://:0ther@10.0.0.8:6390/2?socket_timeout=5", "health_check_interval": 9},
        prefix="chat-prod",
    )
}
EVERY = {
    "default": _redis(SERVER, "unix://:s3cret@/run/redis/redis.sock?db=1", prefix="chat-prod"),
    "events": _redis("redis://:0ther@10.0.0.9:7001/0", prefix="events", expiry=30),
    "tests": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 50}},
}


@cross_process_broadcast.check("patient_layers: a URL host's reads outlast the 5-second pop")
def outlasts_the_pop(patient_layers: Any) -> None:
    grade_setting(patient_layers, ONE_URL, "a setting with one URL host")


@cross_process_broadcast.check("patient_layers: a URL that has a query keeps it, fixed")
def keeps_the_query(patient_layers: Any) -> None:
    grade_setting(patient_layers, A_QUERY, "a URL host with a query, ?db=2&socket_timeout=5")


@cross_process_broadcast.check("patient_layers: host dicts keep their keys, and are fixed too")
def fixes_host_dicts(patient_layers: Any) -> None:
    grade_setting(patient_layers, DICTS, "two host dicts")


@cross_process_broadcast.check("patient_layers: every Redis alias and host; others untouched")
def every_alias_and_host(patient_layers: Any) -> None:
    grade_setting(patient_layers, EVERY, "three aliases (two Redis, one in-memory)")


@cross_process_broadcast.check("patient_layers returns a copy: the setting given is unchanged")
def leaves_the_setting_given(patient_layers: Any) -> None:
    for given, what in ((DICTS, "two host dicts"), (EVERY, "three aliases")):
        mine = copy.deepcopy(given)
        fixed_by(lambda _: patient_layers(mine), given, what)  # noqa: B023 (called at once)
        expect(
            mine == given,
            f"patient_layers changed the setting it was given: {given!r} became {mine!r}. "
            "settings.CHANNEL_LAYERS is shared by the whole process: fix a copy, "
            "copy.deepcopy(channel_layers) (dict(...) or .copy() still shares the inner dicts).",
        )


# ---- broadcast -------------------------------------------------------------------------------


async def _broadcast(broadcast: Any, layer: Any, room: str, text: str) -> tuple[Calls, Calls]:
    """Call broadcast on ``layer``; the calls made through it, and through get_channel_layer()."""
    from channels.layers import InMemoryChannelLayer

    default = InMemoryChannelLayer()
    calls, through_default = record_calls(layer), record_calls(default)
    who = f"broadcast(layer, {room!r}, ...)"
    with as_default_layer(default):
        try:
            called = broadcast(layer, room, text)
            dropped = calls.unawaited() + through_default.unawaited()
            if dropped:
                raise Fail(without_await(dropped, who, "layer"))
            expect(
                inspect.isawaitable(called),
                f"{who} returned {called!r} at once: write async def broadcast(layer, room, "
                "text), and await layer.group_send(...) inside it.",
            )
            await asyncio.wait_for(called, WAIT)
        except TimeoutError:
            raise Fail(
                f"{who} did not return within {WAIT} s: send with one await "
                "layer.group_send(...), and wait for nothing else."
            ) from None
        except RuntimeError as error:
            if "AsyncToSync" not in str(error):
                raise
            raise Fail(
                f"{who} called async_to_sync(...) inside async def, and asgiref refused: "
                f"{error} In async code await layer.group_send(...) directly; async_to_sync "
                "is for sync code (a view, a Celery task)."
            ) from None
    dropped = calls.unawaited() + through_default.unawaited()
    if dropped:
        raise Fail(without_await(dropped, who, "layer"))
    return calls, through_default


def _explain(calls: Calls, through_default: Calls, room: str, text: str) -> None:
    """Fail with the reason, unless one chat.message event went to the group chat.<room>."""
    group, sends = f"chat.{room}", calls.of("group_send")
    if through_default.made and not calls.made:
        raise Fail(
            f"broadcast sent {through_default.made[0].shown('get_channel_layer()')}, through "
            "get_channel_layer(), not through the layer it was given: that is another process's "
            "layer here. Send through the `layer` argument."
        )
    if calls.of("send") and not sends:
        raise Fail(
            f"broadcast called {calls.of('send')[0].shown('layer')}: layer.send() addresses one "
            "channel, which no consumer reads. Send to the room's group, which holds every "
            f"consumer's channel: await layer.group_send('chat.' + room, event)."
        )
    expect(sends, f"broadcast(layer, {room!r}, ...) sent nothing: await layer.group_send(...).")
    expect(len(sends) == 1, f"broadcast called group_send {len(sends)} times: once reaches all.")
    sent_to, event = (*sends[0].args, None, None)[:2]
    expect(
        sent_to == group,
        f"broadcast sent to the group {sent_to!r}; the demo's ChatConsumer joins the group "
        f"'chat.' + room, here {group!r}.",
    )
    kind = event.get("type") if isinstance(event, dict) else None
    expect(
        kind != "chat_message",
        "the event's type is 'chat_message'. Channels maps 'chat.message' to the handler "
        "chat_message (dots become underscores); the type itself is dotted, as the demo's "
        "consumer sends it and as anything that compares types expects: 'chat.message'.",
    )
    expect(
        kind == "chat.message",
        f"the group got {event!r}: its 'type' names the handler each consumer runs, and the "
        "ChatConsumer's is chat_message, so the type is 'chat.message' ('message' is the type "
        "of the frame the client sees, not of the group event).",
    )
    expect(
        event.get("text") == text and isinstance(event.get("user"), str),
        f"the group got {event!r}; send {{'type': 'chat.message', 'user': 'server', "
        "'text': text}: the chat shows 'user' and 'text'.",
    )


async def _next(layer: Any, channel: str) -> Any:
    try:
        return await asyncio.wait_for(layer.receive(channel), 0.05)
    except TimeoutError:
        return None


@cross_process_broadcast.check("broadcast sends one chat.message event to the group chat.<room>")
async def reaches_the_group(broadcast: Any) -> None:
    from channels.layers import InMemoryChannelLayer

    layer = InMemoryChannelLayer()
    lobby = [await layer.new_channel() for _ in range(2)]
    kitchen = await layer.new_channel()
    for channel in lobby:
        await layer.group_add("chat.lobby", channel)
    await layer.group_add("chat.kitchen", kitchen)
    _explain(*await _broadcast(broadcast, layer, "lobby", "hello, lobby"), "lobby", "hello, lobby")
    got = [await _next(layer, channel) for channel in [*lobby, *lobby, kitchen]]
    expect(all(got[:2]), f"the group 'chat.lobby' got {got[:2]!r}: each member gets the event.")
    expect(not any(got[2:4]), "each channel of the group got the event more than once.")
    expect(not got[4], f"the room 'kitchen' got {got[4]!r} too: send to one room only.")


@cross_process_broadcast.check("the demo's ChatConsumer relays it to its WebSocket client")
async def chat_consumer_relays_it(broadcast: Any) -> None:
    text = "hello from another process"
    async with chat_client() as chat:
        _explain(*await _broadcast(broadcast, chat.layer, chat.room, text), chat.room, text)
        frame = await chat.frame(f"after broadcast(layer, {chat.room!r}, ...)")
        expect(
            frame.get("type") == "message" and frame.get("text") == text,
            f"the client got {frame!r}; a chat.message event arrives as a 'message' frame "
            "carrying the event's 'text'.",
        )
