"""Lesson 08's exercise: the channel-layer setting for Redis, and a broadcast to a chat room.

``layer_settings`` is graded by what Channels would build from it: the checks hand its
``CONFIG`` to channels_redis's RedisChannelLayer, as ``get_channel_layer()`` does, and read
where that layer would connect. Building the layer opens no connection, so no Redis is needed.
``broadcast`` is graded on a fresh InMemoryChannelLayer made inside the check (a layer's
queues belong to the event loop that uses them, and a check runs on a loop of its own):
the question there is where the event goes and what it looks like, which is the same on
every layer. The last check puts the demo's own ChatConsumer behind it
(course/checks/_support/demo_chat.py).
"""

from __future__ import annotations

import asyncio
from typing import Any

from course.checking.model import Exercise, Fail, expect
from course.checks._support.demo_chat import WAIT, chat_client

LESSON = "08-scaling-out-with-redis"

cross_process_broadcast = Exercise("cross-process-broadcast", LESSON)
EXERCISES = [cross_process_broadcast]

BACKEND = "channels_redis.core.RedisChannelLayer"
# Two different servers: an answer that ignores its arguments cannot pass both.
SERVERS = [
    ("redis://:s3cret@127.0.0.1:6390/0", "course-check"),
    ("redis://:0ther@10.0.0.7:7001/2", "chat-prod"),
]
GOOD_SETTING = (
    "{'default': {'BACKEND': 'channels_redis.core.RedisChannelLayer', "
    "'CONFIG': {'hosts': [redis_url], 'prefix': prefix}}}"
)


def _setting(layer_settings: Any, url: str, prefix: str) -> dict[str, Any]:
    """The ``CHANNEL_LAYERS["default"]`` entry the student's function returns for *url*."""
    got = layer_settings(url, prefix)
    expect(
        isinstance(got, dict) and isinstance(got.get("default"), dict),
        f"layer_settings({url!r}, {prefix!r}) returned {got!r}; return the whole CHANNEL_LAYERS "
        f"setting, an alias mapped to its layer: {GOOD_SETTING}.",
    )
    default: dict[str, Any] = got["default"]
    return default


def _layer(layer_settings: Any, url: str, prefix: str) -> Any:
    """The RedisChannelLayer Channels would build from the student's setting (no connection)."""
    from channels_redis.core import RedisChannelLayer

    config = _setting(layer_settings, url, prefix).get("CONFIG", {})
    try:
        return RedisChannelLayer(**config)
    except TypeError as error:
        raise Fail(
            f"RedisChannelLayer(**CONFIG) fails with CONFIG = {config!r}: {error}. Its keyword "
            "for the server is 'hosts', a list of URLs: 'hosts': [redis_url]."
        ) from None
    except ValueError as error:
        raise Fail(
            f"RedisChannelLayer refuses CONFIG = {config!r}: {error} 'hosts' is a list, even "
            "for one Redis: 'hosts': [redis_url]."
        ) from None


def _connection_kwargs(layer: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = layer.create_pool(0).connection_kwargs
    return kwargs


@cross_process_broadcast.check("layer_settings names channels_redis's RedisChannelLayer")
def uses_redis(layer_settings: Any) -> None:
    url, prefix = SERVERS[0]
    backend = _setting(layer_settings, url, prefix).get("BACKEND")
    expect(
        backend != "channels.layers.InMemoryChannelLayer",
        "BACKEND is the InMemoryChannelLayer: it lives inside one process, so a group_send in "
        "one daphne never reaches a client of the other (the lesson's TimeoutError). Use "
        f"{BACKEND!r}.",
    )
    expect(
        backend == BACKEND,
        f"BACKEND is {backend!r}; the layer that keeps messages in Redis until a consumer "
        f"reads them is {BACKEND!r}.",
    )


@cross_process_broadcast.check("its CONFIG points the layer at redis_url, with the prefix")
def points_at_the_url(layer_settings: Any) -> None:
    from redis.asyncio import ConnectionPool

    for url, prefix in SERVERS:
        layer = _layer(layer_settings, url, prefix)
        expect(
            layer.ring_size == 1,
            f"for {url!r} the layer has {layer.ring_size} hosts: {layer.hosts!r}; give it "
            "exactly one, the URL: 'hosts': [redis_url].",
        )
        got, wanted = _connection_kwargs(layer), ConnectionPool.from_url(url).connection_kwargs
        fields = ("host", "port", "db", "password")
        where = {k: got.get(k) for k in fields}
        expect(
            where == {k: wanted.get(k) for k in fields},
            f"layer_settings({url!r}, {prefix!r}) builds a layer that would connect to {where}, "
            "not to that URL. Without 'hosts' it tries localhost:6379; a (host, port) pair "
            "drops the password. Put the URL itself in the list: 'hosts': [redis_url].",
        )
        expect(
            layer.prefix == prefix,
            f"layer_settings({url!r}, {prefix!r}) gives the layer the prefix {layer.prefix!r}; "
            "pass the prefix argument through: 'prefix': prefix. It keeps apps (and tests) "
            "sharing one Redis apart.",
        )


@cross_process_broadcast.check("its connections outlast the layer's 5-second blocking pop")
def outlasts_the_blocking_pop(layer_settings: Any) -> None:
    from channels_redis.core import RedisChannelLayer

    url, prefix = SERVERS[0]
    # A connection object, never connected: its socket_timeout is what each read would get.
    timeout = _layer(layer_settings, url, prefix).create_pool(0).make_connection().socket_timeout
    pop = RedisChannelLayer.brpop_timeout
    expect(
        timeout is None or timeout > pop,
        f"the layer's connections give up on a read after {timeout} s, and a consumer waits "
        f"up to {pop} s in one blocking pop: an idle consumer would crash with "
        "'Timeout reading from ...'. Ask for longer, in the URL (redis_url + "
        "'?socket_timeout=30') or as a host dict ({'address': redis_url, "
        "'socket_timeout': None}).",
    )


async def _next(layer: Any, channel: str) -> Any:
    try:
        return await asyncio.wait_for(layer.receive(channel), 0.05)
    except TimeoutError:
        return None


async def _broadcast(broadcast: Any, layer: Any, room: str, text: str) -> None:
    try:
        await asyncio.wait_for(broadcast(layer, room, text), WAIT)
    except TimeoutError:
        raise Fail(
            f"broadcast(layer, {room!r}, {text!r}) did not return within {WAIT} s: send "
            "with one await layer.group_send(...), and wait for nothing else."
        ) from None


@cross_process_broadcast.check("broadcast sends one chat.message event to the group chat.<room>")
async def reaches_the_group(broadcast: Any) -> None:
    from channels.layers import InMemoryChannelLayer

    layer = InMemoryChannelLayer()
    lobby = [await layer.new_channel() for _ in range(2)]
    kitchen = await layer.new_channel()
    for channel in lobby:
        await layer.group_add("chat.lobby", channel)
    await layer.group_add("chat.kitchen", kitchen)
    await _broadcast(broadcast, layer, "lobby", "hello, lobby")
    got = [await _next(layer, channel) for channel in lobby]
    stray = sorted(set(layer.channels) - {*lobby, kitchen})
    if not any(got) and stray:
        raise Fail(
            f"broadcast(layer, 'lobby', ...) put its message on the channel {stray[0]!r}, "
            "which no consumer reads: layer.send() addresses one channel. Send to the room's "
            "group, which holds every consumer's channel: await layer.group_send('chat.' + "
            "room, event)."
        )
    expect(
        all(got),
        "broadcast(layer, 'lobby', ...) reached no channel of the group 'chat.lobby' of the "
        "layer it was given. Send through that layer (not get_channel_layer()), to the group "
        "the demo's ChatConsumer joins: 'chat.' + room.",
    )
    event = got[0]
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
        event.get("text") == "hello, lobby" and isinstance(event.get("user"), str),
        f"the group got {event!r}; send {{'type': 'chat.message', 'user': 'server', "
        "'text': text}: the chat shows 'user' and 'text'.",
    )
    again = [await _next(layer, channel) for channel in [*lobby, kitchen]]
    expect(
        not any(again[:2]),
        f"each channel of the group got the event more than once (then {again[:2]!r}): one "
        "group_send already reaches every member.",
    )
    expect(not again[2], f"the room 'kitchen' got {again[2]!r} too: send to one room only.")


@cross_process_broadcast.check("the demo's ChatConsumer relays it to its WebSocket client")
async def chat_consumer_relays_it(broadcast: Any) -> None:
    async with chat_client() as chat:
        await _broadcast(broadcast, chat.layer, chat.room, "hello from another process")
        frame = await chat.frame(f"after broadcast(layer, {chat.room!r}, ...)")
        expect(
            frame.get("type") == "message" and frame.get("text") == "hello from another process",
            f"the client got {frame!r}; a chat.message event arrives as a 'message' frame "
            "carrying the event's 'text'.",
        )
