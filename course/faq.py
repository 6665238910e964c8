"""The workshop guide's FAQ: one question per classic pain point, answered in one line.

The question (the pain point and what the student sees) and the links to the lesson cells
come from course/painpoints.py and the lessons' ``pain-N`` tags; only the one-line answers
live here, each the fix the lesson shows after the failing cell. ``python -m course guide``
writes the FAQ into docs/workshop-guide.md.
"""

from __future__ import annotations

from course.painpoints import PAIN_POINTS, Place

ANSWERS = {
    1: "Use the async ORM (`await Model.objects.acount()`, `aget`, `async for`) or wrap the "
    "sync call in `database_sync_to_async`.",
    2: "In async code await the coroutine itself; call `async_to_sync` only from sync code "
    "in another thread (a view, a worker).",
    3: "Give every process one Redis layer: `course.start_redis()`, then "
    "`course.serve(env=redis.env())`.",
    4: 'Name a handler after each event type: `"type": "chat.message"` calls '
    "`chat_message(self, event)`.",
    5: "Make group names from a slug of the room (ASCII letters, digits, `-`, `_`, `.`; "
    "under 100 characters), plus a short hash.",
    6: "Send an `Origin` whose host is in `ALLOWED_HOSTS` (communicators send none "
    "unless you add the header).",
    7: 'List `"daphne"` first in `INSTALLED_APPS` so `runserver` starts daphne; the demo\'s '
    "`config/settings_daphne.py` does.",
    8: "Route to `Consumer.as_asgi()` and serve the project with an ASGI server (daphne, uvicorn).",
    9: "Point the server at `config.asgi:application`, whose `ProtocolTypeRouter` sends "
    "`websocket` scopes to Channels.",
    10: "In `asgi.py`, call `get_asgi_application()` before importing consumers or routing.",
    11: "Give `ProtocolTypeRouter` a `lifespan` entry that answers startup and shutdown "
    "(see `basics/lifespan.py`).",
    12: "Nest `URLRouter`s instead of `include()` and end the route list with a catch-all.",
    13: "Return when the app receives `websocket.disconnect`; never keep a loop running past it.",
    14: "Use a sync consumer only for blocking work at modest concurrency; an async consumer "
    "that awaits everything for many connections.",
    15: "Await `group_send` in async code; from sync code (a view, a signal) call it through "
    "`async_to_sync`.",
    16: "Share the channel layer, not a raw Redis client, between event loops: channels_redis "
    "keeps one pool per loop and closes it with its loop.",
    17: "Read your channel: a reader that keeps up frees room; `capacity` and `expiry` are "
    "settings of the layer.",
    18: "Create one layer per process (`get_channel_layer()`), never a new "
    "`RedisChannelLayer` per call.",
    19: "A long-lived consumer calls `group_add` again before `group_expiry` runs out.",
    20: "Save the session yourself after changing it: "
    '`await database_sync_to_async(self.scope["session"].save)()`.',
    21: "Carry the token in the subprotocols (`access_token`, token) or the query string "
    "(`?token=`), checked by a middleware.",
    22: "After a `receive_output` timeout the communicator is dead: use "
    "`receive_nothing()` to check that nothing arrives.",
    23: "Give the test database a file (settings passed to pytest with `--ds`), not in-memory "
    "SQLite.",
    24: "Make the proxy forward the upgrade (nginx: `proxy_http_version 1.1;` and "
    '`proxy_set_header Upgrade $http_upgrade;` `proxy_set_header Connection "upgrade";`).',
    25: "`await layer.flush()` before each test (a fixture): it deletes only the keys under "
    "the layer's prefix.",
}


def render(found: dict[int, list[Place]]) -> str:
    """The FAQ in Markdown: a bullet per pain point, its answer and where it is shown."""
    lines = []
    for point in PAIN_POINTS:
        where = " · ".join(place.link() for place in found.get(point.number, [])) or "—"
        lines.append(
            f"- **{point.title}** (you see `{point.seen}`). {ANSWERS[point.number]} → {where}"
        )
    return "\n".join(lines)
