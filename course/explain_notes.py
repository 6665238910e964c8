"""What the error explainer says about each classic pain point (course/painpoints.py).

``when``: the one-line test that tells it apart when an error has several usual causes
("if ..."); ``why``: what happened underneath; ``fix``: one or two lines. `Backticks` mark
code (shown as code in the notebook).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Note:
    when: str
    why: str
    fix: str


NOTES = {
    1: Note(
        "if you called the sync ORM, or evaluated a lazy queryset, in async code",
        "Django refuses a blocking database query in a thread that runs an event loop: a notebook "
        "cell, an async consumer, an async view.",
        "`await Model.objects.acount()` and the other a-methods, or move the code into a function "
        "wrapped in `database_sync_to_async` (evaluate querysets inside it, e.g. `list(qs)`).",
    ),
    2: Note(
        "if you called `async_to_sync` (or `asyncio.run`) where an event loop already runs",
        "`async_to_sync` blocks its thread until the coroutine is done; in the thread that runs "
        "the event loop, it would freeze the very loop the coroutine needs.",
        "In async code (a cell, an async consumer) just `await` the coroutine; keep "
        "`async_to_sync` for sync code: sync consumers, sync views, Celery tasks.",
    ),
    3: Note(
        "if the sender is another process (another server, a worker, `manage.py shell`) and the "
        "layer is `InMemoryChannelLayer`",
        "The in-memory layer is a dict inside one process: a message sent from another process "
        "never reaches this one, and nothing reports it.",
        "Use a layer outside the processes, `channels_redis.core.RedisChannelLayer`, in every "
        "process of the site.",
    ),
    4: Note(
        "if a message's `type` has no handler method",
        'A consumer turns `"type": "chat.message"` into a call of `chat_message(self, event)`; '
        "with no such method it raises ValueError, and the consumer and its connection die.",
        "Add the method named after the type (dots become underscores), even an empty one, and "
        "check the spelling on both sides.",
    ),
    5: Note(
        "if a group or channel name has spaces, accents or other characters, or is too long",
        "Channels accepts only ASCII letters, digits, `-`, `_` and `.` in names, shorter than 100 "
        'characters; the TypeError calls that "a valid unicode string".',
        "Build names from a slug of the room, plus a short hash so two rooms never share a group.",
    ),
    6: Note(
        "if the client sent no `Origin` header, or one from a host not in ALLOWED_HOSTS",
        "`AllowedHostsOriginValidator` closes the connection before accepting it, and the server "
        "answers the handshake with HTTP 403; it guards against cross-site WebSocket hijacking.",
        "Send the page's own origin (`origin=` in websockets, an `Origin` header in a "
        "communicator) and list its host in ALLOWED_HOSTS; keep the validator.",
    ),
    7: Note(
        "if `manage.py runserver` serves the site and `daphne` is not first in INSTALLED_APPS",
        "Since Channels 4, runserver starts Django's own WSGI server unless the `daphne` app is "
        "installed; that server knows no WebSockets and answers the handshake as a plain GET.",
        'Put `"daphne"` first in INSTALLED_APPS (before staticfiles) and set ASGI_APPLICATION, '
        "or run `daphne config.asgi:application`.",
    ),
    8: Note(
        "if a consumer class is routed or tested without `.as_asgi()`, or an ASGI app runs "
        "under a WSGI server",
        "An ASGI app is called with three arguments (scope, receive, send); a consumer class "
        "itself, or a WSGI server calling `app(environ, start_response)`, passes fewer.",
        "Route and test `MyConsumer.as_asgi()`, and serve ASGI apps with daphne or uvicorn.",
    ),
    9: Note(
        "if the server runs `get_asgi_application()` itself, not the Channels router",
        "Django's own ASGI handler speaks HTTP only: a WebSocket that reaches it is refused.",
        'In asgi.py, `ProtocolTypeRouter({"http": django_asgi_app, "websocket": ...})`, and point '
        "the server (and ASGI_APPLICATION) at that `application`.",
    ),
    10: Note(
        "if something imported models (consumers, routing) before Django was set up",
        "A module that touches models needs the app registry, which `django.setup()` fills "
        "(`get_asgi_application()` calls it); imported earlier, it finds the registry empty.",
        "In asgi.py: set DJANGO_SETTINGS_MODULE, call `get_asgi_application()`, and only then "
        "import consumers and routing.",
    ),
    11: Note(
        "if the server (uvicorn, hypercorn) sends lifespan events the router has no entry for",
        "`ProtocolTypeRouter` raises ValueError for a scope type it does not know; uvicorn logs "
        "it, and with `--lifespan on` refuses to start.",
        'Give the router a `"lifespan"` entry, or run uvicorn with `--lifespan off`.',
    ),
    12: Note(
        "if the path matches no route in `URLRouter`",
        "The outermost URLRouter raises ValueError for a path no route matches (a server answers "
        "500); a nested router sees only the part of the path the outer one left.",
        "Check the pattern (no leading `/`, the trailing `/`), and end the list with a catch-all "
        "route to `WebsocketDenier.as_asgi()` for a polite 403.",
    ),
    13: Note(
        "if the app goes on after `websocket.disconnect`",
        "An ASGI app must return once its client is gone; one that waits for more is cancelled "
        'after a timeout (daphne logs "took too long to shut down and was killed").',
        "Return (or raise StopConsumer) on `websocket.disconnect`, and keep a consumer's "
        "`disconnect()` short.",
    ),
    14: Note(
        "if several sync consumers were busy at the same time",
        "Sync consumers run through `sync_to_async(thread_sensitive=True)`: all of them share ONE "
        "thread and take turns, so the second waits for the first.",
        "Use an async consumer and `await` the slow work (`database_sync_to_async` for the ORM); "
        "keep sync consumers for quick work.",
    ),
    15: Note(
        "if the message was sent from sync code, another thread or another event loop",
        "A channel layer call is a coroutine: from sync code without `async_to_sync` it never "
        "runs, and objects made in one event loop cannot be used from another.",
        "In sync code: `async_to_sync(channel_layer.group_send)(group, message)`; in async code, "
        "`await` it; never share a connection between event loops.",
    ),
    16: Note(
        "if a Redis connection outlived the event loop that opened it",
        "An asyncio connection belongs to the loop that made it; once `asyncio.run()` (or "
        "`async_to_sync`) closes that loop, using the connection again fails.",
        "Use channels_redis 4.1 or later (a pool per loop), and open your own Redis clients in the "
        "loop that uses them.",
    ),
    17: Note(
        "if the channel already held `capacity` unread messages (100 by default)",
        "A layer keeps at most `capacity` messages a channel: `send()` then raises ChannelFull "
        "and `group_send()` drops the message silently; messages also expire (60 s).",
        "Make the reader keep up, send less, or raise `capacity` (and `channel_capacity`) in "
        "CHANNEL_LAYERS.",
    ),
    18: Note(
        "if code creates a new channel layer or Redis client again and again",
        "Each layer or client keeps its own connections, open as long as its event loop lives; "
        "past `maxclients` Redis refuses more.",
        "Use the one `get_channel_layer()` in each process and reuse one Redis client; close "
        "what you open yourself (`await client.aclose()`).",
    ),
    19: Note(
        "if the receiver joined the group longer ago than `group_expiry` (a day by default)",
        "Group membership expires silently after `group_expiry` seconds: a connection open longer "
        "stops getting group messages, and nothing says so.",
        "Call `group_add` again now and then (on activity, on a timer), or raise `group_expiry` "
        "above your longest connection.",
    ),
    20: Note(
        'if a consumer changed `scope["session"]` without saving it',
        "Over a WebSocket no response carries a cookie and nothing saves the session for you: "
        "changes (and `login()`) are lost unless you save them.",
        'After a change: `await database_sync_to_async(self.scope["session"].save)()`; route '
        "through `SessionMiddlewareStack` or `AuthMiddlewareStack`.",
    ),
    21: Note(
        "if the route expects a token the client did not send",
        "A browser cannot set an Authorization header on a WebSocket; a token middleware that "
        "finds no token refuses the connection, and the server answers the handshake with 403.",
        'Send the token as a subprotocol (`["access_token", token]`) or in the query string, '
        "and read it there.",
    ),
    22: Note(
        "if a communicator waited for a frame that never came, or was used after such a timeout",
        "`receive_from()` raises TimeoutError when nothing arrives in time and cancels the "
        "consumer: the communicator is dead from then on (CancelledError).",
        "Check for silence with `await communicator.receive_nothing()`, pass a larger `timeout=` "
        "to a slow consumer, and start a new communicator after a timeout.",
    ),
    23: Note(
        "if `ChannelsLiveServerTestCase` runs on an in-memory SQLite test database",
        "The live server runs in another process, which cannot see an in-memory database, so "
        "Channels refuses to start it.",
        'Give the test database a file: `DATABASES["default"]["TEST"] = {"NAME": '
        '"test.sqlite3"}` in the settings the tests use.',
    ),
    24: Note(
        "if a proxy (nginx, or another server) sits between the client and the server",
        "`Upgrade` and `Connection` are hop-by-hop headers: a proxy that does not pass them on "
        "sends a plain GET, which Django answers with 404.",
        "nginx: `proxy_http_version 1.1;`, `proxy_set_header Upgrade $http_upgrade;`, "
        '`proxy_set_header Connection "upgrade";`.',
    ),
    25: Note(
        "if an earlier test left messages in the same channel layer",
        "A Redis layer (or one in-memory layer shared by tests) keeps messages between tests, "
        "so a test can receive what an earlier one sent.",
        "Empty the layer before each test: `await channel_layer.flush()` in an autouse fixture.",
    ),
}
