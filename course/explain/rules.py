"""One rule per classic pain point: how likely a failure is that pain point.

A rule reads a ``Failure`` (course/explain/evidence.py) and returns SURE, LIKELY, MAYBE or
NO. It looks first at what was raised and what it says; then at the traceback's frames
(which library the error passed through, what the frames held; for a WebSocket client,
course/explain/websocket.py); and at the cell's source only where nothing else tells two
causes apart. What the explainer then says about each pain point is in
course/explain/painpoints.toml.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from course.explain import websocket as ws
from course.explain.evidence import Failure, type_names

NO, MAYBE, LIKELY, SURE = 0, 1, 2, 3
Rule = Callable[[Failure], int]
RULES: dict[int, Rule] = {}

TIMEOUT = ws.TIMEOUT
CANCELLED = ("asyncio.exceptions.CancelledError",)
DISCONNECT = ("websocket.disconnect", "http.disconnect")
RUNNING_LOOP = (
    r"asyncio\.run\(\) cannot be called from a running event loop|loop is already running"
)


def rule(number: int) -> Callable[[Rule], Rule]:
    def register(func: Rule) -> Rule:
        RULES[number] = func
        return func

    return register


# The pain points that the exception alone gives away: its class, or what it says.
RAISED = {1: "SynchronousOnlyOperation", 17: "ChannelFull"}
SAID = {
    4: "No handler for message type",
    5: r"(Group|Channel) name must be a valid unicode string",
    11: r"scope type 'lifespan'|Exception in 'lifespan' protocol|Application startup failed",
    16: "Event loop is closed",
    23: "can not be used with in memory databases",
}


def _raised(name: str) -> Rule:
    return lambda f: SURE if f.is_a(name) else NO


def _said(pattern: str) -> Rule:
    return lambda f: SURE if f.says(pattern) else NO


RULES.update({number: _raised(name) for number, name in RAISED.items()})
RULES.update({number: _said(pattern) for number, pattern in SAID.items()})


@rule(18)
def out_of_connections(f: Failure) -> int:
    if f.says("max number of clients reached|Too many open files|Too many connections"):
        return SURE
    # Over a unix socket Redis hangs up before redis-py reads its "max number of clients"
    # reply: the student sees only a lost connection, raised inside channels_redis.
    lost = f.says("Connection lost|Connection reset by peer|Broken pipe")
    return LIKELY if lost and f.passed("/channels_redis/") else NO


@rule(2)
def async_to_sync_in_a_loop(f: Failure) -> int:
    if f.says("cannot use AsyncToSync in the same thread as an async event loop"):
        return SURE
    return LIKELY if f.says(RUNNING_LOOP) else NO


@rule(3)
def in_memory_layer_across_processes(f: Failure) -> int:
    return {"websockets": LIKELY, "memory": MAYBE}.get(ws.timed_out_receiving(f), NO)


@rule(6)
def origin_rejected(f: Failure) -> int:
    if not ws.refused(f, 403):
        return NO
    origin, host = ws.request_header(f, "Origin"), ws.request_header(f, "Host")
    if origin and host and urlsplit(origin).hostname != urlsplit(f"//{host}").hostname:
        return SURE  # another site's page
    return LIKELY if not origin else MAYBE


@rule(7)
def daphne_not_installed(f: Failure) -> int:
    if not ws.refused(f, 404):
        return NO
    return SURE if ws.response_header(f, "Server").startswith("WSGIServer") else MAYBE


@rule(8)
def missing_as_asgi(f: Failure) -> int:
    if not f.is_a("TypeError"):
        return NO
    # Channels 4: URLRouter awaits `route(scope, receive, send)`; a consumer class called so
    # only builds an instance, and awaiting it fails (a class whose __init__ takes nothing
    # fails at the call). A communicator calling the class itself misses `send`.
    routed = "can't be used in 'await' expression|takes no arguments"
    if f.says(routed) and f.passed("/channels/routing.py"):
        return SURE
    return SURE if f.says("missing 1 required positional argument: 'send'") else NO


@rule(9)
def websocket_to_django(f: Failure) -> int:
    if f.says("Django can only handle ASGI/HTTP connections"):
        return SURE
    return LIKELY if f.says("No application configured for scope type 'websocket'") else NO


@rule(10)
def apps_not_ready(f: Failure) -> int:
    if f.is_a("AppRegistryNotReady") or f.says("AppRegistryNotReady|Apps aren't loaded yet"):
        return SURE
    return LIKELY if f.says("but settings are not configured") else NO


@rule(12)
def no_route(f: Failure) -> int:
    return (
        SURE if f.says(r"No route found for path|include\(\) is not supported in URLRouter") else NO
    )


@rule(13)
def app_ignores_disconnect(f: Failure) -> int:
    if f.says("took too long to shut down"):
        return SURE
    # Stopped while a frame still held the disconnect it had received: it kept going.
    return SURE if f.is_a(*TIMEOUT, *CANCELLED) and f.holds_message(*DISCONNECT) else NO


@rule(14)
def sync_consumers_share_a_thread(f: Failure) -> int:
    if not (f.is_a(*TIMEOUT) and f.passed("/asgiref/testing.py")):
        return NO
    for communicator in f.holds("asgiref.testing.ApplicationCommunicator"):
        app = communicator.application
        for _ in range(8):  # through middleware (.inner) and tracers (.app)
            consumer = getattr(app, "consumer_class", None)
            if consumer is not None:
                if "channels.consumer.SyncConsumer" in type_names(consumer):
                    return SURE if f.mentions("gather") else LIKELY
                break
            app = getattr(app, "inner", None) or getattr(app, "app", None)
    return NO


@rule(15)
def sending_from_another_loop(f: Failure) -> int:
    other_loop = "attached to a different loop|bound to a different event loop|Two event loops"
    if f.says(other_loop):
        return SURE
    if f.says(RUNNING_LOOP):
        return MAYBE
    return {"memory": LIKELY, "websockets": MAYBE, "redis": MAYBE}.get(
        ws.timed_out_receiving(f), NO
    )


@rule(19)
def group_expired(f: Failure) -> int:
    where = ws.timed_out_receiving(f)
    if where != "redis":
        return MAYBE if where else NO
    layers = f.holds("channels.layers.BaseChannelLayer")
    expiries = [getattr(layer, "group_expiry", 86400) for layer in layers]
    return SURE if any(e < 60 for e in expiries) or f.mentions("group_expiry") else LIKELY


@rule(20)
def session_not_saved(f: Failure) -> int:
    if any(isinstance(e, KeyError) and e.args[:1] == ("session",) for e in f.raised):
        return LIKELY  # a consumer read scope["session"] with no SessionMiddlewareStack
    if f.is_a("AssertionError") and f.mentions("session") and not f.mentions("save"):
        return LIKELY
    return NO


@rule(21)
def token_missing(f: Failure) -> int:
    if not ws.refused(f, 403):
        return NO
    return SURE if f.mentions("token") else MAYBE


@rule(22)
def communicator_timeout(f: Failure) -> int:
    in_a_test_client = f.passed("/asgiref/testing.py") or f.passed("/channels/testing/")
    if f.is_a(*TIMEOUT, *CANCELLED) and in_a_test_client:
        return SURE
    return MAYBE if f.says("Event loop is closed") and in_a_test_client else NO


@rule(24)
def proxy_without_upgrade(f: Failure) -> int:
    if f.says("Unsupported upgrade request|No supported WebSocket library"):
        return SURE
    if not ws.refused(f, 404):
        return NO
    return MAYBE if ws.response_header(f, "Server").startswith("WSGIServer") else LIKELY


@rule(25)
def layer_not_flushed(f: Failure) -> int:
    leftover = f.holds("channels.layers.BaseChannelLayer") and f.mentions("receive")
    return LIKELY if f.is_a("AssertionError") and leftover else NO
