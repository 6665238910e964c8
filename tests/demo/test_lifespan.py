"""basics.lifespan: the demo's routes plus a lifespan handler that fills scope["state"]."""

import pytest
from channels.routing import ProtocolTypeRouter

from basics.lifespan import application, lifespan
from config.asgi import application as demo
from course.tracing import call


async def test_startup_and_shutdown_complete_and_fill_the_state(capsys):
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    conn = await call(application, scope)

    assert [m["type"] for m in conn.messages(direction="send")] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert isinstance(scope["state"]["started_at"], float)
    out = capsys.readouterr().out
    assert "lifespan: startup" in out and "lifespan: shutdown" in out


def test_the_application_is_the_demo_plus_lifespan():
    assert application.application_mapping == {**demo.application_mapping, "lifespan": lifespan}


async def test_the_demo_alone_raises_on_a_lifespan_scope():
    assert isinstance(demo, ProtocolTypeRouter)
    with pytest.raises(ValueError, match="No application configured for scope type 'lifespan'"):
        await call(demo, {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}})


async def test_a_failing_startup_answers_startup_failed_with_a_message():
    from basics.lifespan import fails_at_startup

    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    conn = await call(fails_at_startup, scope)
    sent = conn.messages(direction="send")
    assert [m["type"] for m in sent] == ["lifespan.startup.failed"]
    assert sent[0]["message"]


async def test_a_failing_shutdown_starts_then_answers_shutdown_failed():
    from basics.lifespan import fails_at_shutdown

    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    conn = await call(fails_at_shutdown, scope)
    assert [m["type"] for m in conn.messages(direction="send")] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.failed",
    ]
