"""course/live/servers.py: daphne from a cell — ports, readiness, re-runs, logs, no orphans."""

import html
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from course._paths import REPO_ROOT, state_dir
from course.live import _spawn, servers
from course.live.servers import serve
from tests.course.helpers import ECHO_APP, alive, finish, read_report, wait_gone
from tests.jupyter_lab import free_port

pytestmark = pytest.mark.slow


def get(server, path=""):
    return httpx.get(server.url + path, timeout=5)


async def test_serves_http_and_websocket():
    server = serve(ECHO_APP)
    async with httpx.AsyncClient() as client:
        response = await client.get(server.url + "hi")
    assert response.text == "hello from /hi"
    async with connect(server.ws_url("anything/")) as ws:
        await ws.send("ping")
        assert await ws.recv() == "ping"


async def test_serves_the_demo_project(tmp_path):
    server = serve(env={"DEMO_DB": str(tmp_path / "db.sqlite3")})
    assert server.name == server.app == "config.asgi:application"
    origin = server.url.rstrip("/")  # AllowedHostsOriginValidator wants an allowed Origin
    async with connect(server.ws_url("ws/echo/async/"), origin=origin) as ws:
        await ws.send("hi")
        assert await ws.recv() == "async echo: hi"


def test_urls():
    server = servers.Server(ECHO_APP)  # formatting only: no process needed
    server.port = 8123
    assert server.url == f"http://127.0.0.1:{server.port}/"
    assert (
        server.ws_url("/ws/x/") == server.ws_url("ws/x/") == f"ws://127.0.0.1:{server.port}/ws/x/"
    )
    assert server.proxy_url("ws/x/").endswith(f"proxy/{server.port}/ws/x/")


def test_environment_and_args_reach_daphne():
    server = serve(ECHO_APP, env={"COURSE_TEST": "yes"}, args=["--server-name", "course-test"])
    response = get(server, "env/COURSE_TEST")
    assert response.text == "yes"
    assert response.headers["server"] == "course-test"
    assert get(server, "env/DJANGO_SETTINGS_MODULE").text == "config.settings"


def test_same_name_replaces_the_old_server():
    first = serve(ECHO_APP)  # name defaults to the app path
    old_pid = first.pid
    second = serve(ECHO_APP)
    assert not first.running and wait_gone(old_pid, 1)
    assert get(second, "again").text == "hello from /again"
    assert len({s.name for s in (first, second)}) == 1
    assert second.port == first.port, "a re-run should keep the port (open tabs keep working)"


def test_restart_keeps_the_port_and_stop_is_idempotent():
    server = serve(ECHO_APP, name="r")
    port, pid = server.port, server.pid
    server.restart()
    assert (server.port, server.running) == (port, True) and server.pid != pid
    server.stop()
    server.stop()
    assert not server.running and not alive(pid)
    with pytest.raises(httpx.ConnectError):
        get(server)


def test_context_manager_stops_the_server():
    with serve(ECHO_APP, name="ctx") as server:
        pid = server.pid
        assert get(server).status_code == 200
    assert not server.running and wait_gone(pid, 1)


def test_four_servers_started_at_once_from_threads():
    started = []

    def start(i):
        started.append(serve(ECHO_APP, name=f"t{i}"))

    threads = [threading.Thread(target=start, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({server.port for server in started}) == 4
    assert all(get(server).status_code == 200 for server in started)


def test_four_servers_started_at_once_from_processes(starter):
    code = f"""
        from course.live.servers import serve
        report(port=serve({ECHO_APP!r}).port)
        wait()
        """
    procs = [starter(code) for _ in range(4)]
    ports = [read_report(proc)["port"] for proc in procs]
    assert len(set(ports)) == 4
    assert all(httpx.get(f"http://127.0.0.1:{port}/").status_code == 200 for port in ports)
    assert [finish(proc) for proc in procs] == [0] * 4


def test_logs_go_to_a_file_not_the_cell(capfd):
    server = serve(ECHO_APP)
    get(server, "logged-path")
    assert server.log_path.parent == state_dir()
    deadline = time.monotonic() + 5
    while "logged-path" not in server.logs():
        assert time.monotonic() < deadline, server.logs()
        time.sleep(0.02)
    assert '"GET /logged-path" 200' in server.logs(1)
    assert "Listening on TCP address" in server.log_path.read_text()
    out, err = capfd.readouterr()
    assert "logged-path" not in out + err


def test_a_broken_app_path_fails_fast_with_the_log_tail():
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="exited with status 1") as info:
        serve("tests.course.no_such_module:application")
    assert time.monotonic() - started < 5
    assert "ModuleNotFoundError: No module named 'tests.course.no_such_module'" in str(info.value)
    assert str(info.value).count("\n") <= 31  # the tail, not the whole log


def test_a_server_that_never_gets_ready_times_out_and_is_stopped():
    with pytest.raises(RuntimeError, match=r"not ready after 0\.5 s"):
        serve("tests.course.slow_app:application", timeout=0.5)
    assert not _spawn.running()


def test_a_short_lived_thread_can_start_a_server():
    started = []
    thread = threading.Thread(target=lambda: started.append(serve(ECHO_APP)))
    thread.start()
    thread.join()
    time.sleep(0.3)
    assert started[0].running
    assert get(started[0]).status_code == 200


def test_repr_shows_status_and_links(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    monkeypatch.setattr(servers.links, "in_jupyter", lambda: True)
    server = serve(ECHO_APP, name="shown")
    text, markup = repr(server), server._repr_html_()
    assert f"running, pid {server.pid}" in text and server.url in text
    assert f"/user/ada/proxy/{server.port}/" in text
    assert f'href="/user/ada/proxy/{server.port}/"' in markup
    assert f'href="{server.url}"' in markup
    server.stop()
    assert "stopped" in repr(server) and server.url not in repr(server)


def test_repr_shows_a_command_line_that_serves_when_typed_in_a_shell(tmp_path):
    server = serve(name="typed")
    assert f"$ {server.command}" in repr(server)
    assert html.escape(server.command) in server._repr_html_()
    assert server.command.startswith("cd demo_project && python -m daphne -v 1 --fd ")
    # Typed by hand, with an address of its own instead of the kernel's socket, it serves.
    port = free_port()
    command = re.sub(r"--fd \d+", f"-b 127.0.0.1 -p {port}", server.command)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    shell = subprocess.Popen(command, shell=True, cwd=REPO_ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/api/v1/data").status_code == 200
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        else:
            pytest.fail(f"{command!r} did not serve within 30 s")
    finally:
        os.killpg(shell.pid, signal.SIGTERM)
        shell.wait(10)
        server.stop()


def test_trace_records_the_traffic():
    server = serve(ECHO_APP, name="traced", trace=True)
    get(server, "traced-path")
    deadline = time.monotonic() + 5
    while not len(server.trace().filter(path="/traced-path")):
        assert time.monotonic() < deadline, "nothing traced"
        time.sleep(0.05)
    assert len(server.trace()) == 1  # the readiness probe never reaches the app
    assert server.trace().last.scope["path"] == "/traced-path"


def test_trace_needs_trace_true():
    with pytest.raises(RuntimeError, match="trace=True"):
        servers.Server(ECHO_APP).trace()


def test_interrupt_does_not_stop_the_server(starter):
    proc = starter(
        f"""
        from course.live.servers import serve
        server = serve({ECHO_APP!r})
        report(pid=server.pid, port=server.port)
        wait()
        """
    )
    started = read_report(proc)
    os.killpg(proc.pid, signal.SIGINT)  # what Jupyter's Interrupt button does
    assert read_report(proc) == {"interrupted": True}
    assert httpx.get(f"http://127.0.0.1:{started['port']}/").status_code == 200
    assert finish(proc) == 0
    assert wait_gone(started["pid"], 1), "daphne outlived its starter's normal exit"


def test_sigkill_of_the_kernel_stops_daphne_and_redis(starter):
    proc = starter(
        f"""
        from course.live.redis_server import start_redis
        from course.live.servers import serve
        redis = start_redis()
        server = serve({ECHO_APP!r}, env=redis.env())
        report(daphne=server.pid, redis=redis.pid)
        wait()
        """
    )
    pids = read_report(proc)
    assert alive(pids["daphne"]) and alive(pids["redis"])
    proc.kill()
    assert wait_gone(pids["daphne"], 5), "daphne was orphaned"
    assert wait_gone(pids["redis"], 5), "redis-server was orphaned"


def test_a_trace_read_right_after_a_request_shows_it_finished():
    # Django writes its "end" record just after the response (unfinished ~1 time in 2
    # without waiting, measured): trace() waits for it.
    server = serve(name="settled", trace=True)  # the demo project
    with httpx.Client(base_url=server.url) as client:  # keep-alive, like a notebook's client
        for i in range(20):
            client.get("api/v1/data", params={"filter": "active", "n": i})
            last = server.trace().last
            assert last.scope["query_string"] == f"filter=active&n={i}".encode()
            assert last.ended is not None, f"request {i} shown unfinished"


async def test_a_trace_read_right_after_a_websocket_closed_shows_its_disconnect():
    # The client sees the connection end before the app records websocket.disconnect:
    # trace() waits for the disconnect of a WebSocket whose TCP connection is gone.
    server = serve("basics.raw:app", name="settled-ws", trace=True)
    for i in range(20):
        ws = await connect(server.ws_url("echo/"))
        await ws.send(f"hi {i}")
        await ws.recv()
        await ws.close()
        last = server.trace().last
        assert last.messages("websocket.receive")[0]["text"] == f"hi {i}"
        assert last.messages("websocket.disconnect"), f"connection {i} shown without its end"
    # An open WebSocket is not waited for: it has no disconnect yet, and may never have one.
    async with connect(server.ws_url("echo/")):
        started = time.monotonic()
        assert not server.trace(settle=10).last.messages("websocket.disconnect")
        assert time.monotonic() - started < 10, "trace() waited for an open WebSocket"


def test_clients_of_lists_the_connections_a_server_still_holds_open():
    # What trace() asks while it waits for a websocket.disconnect: is the client's TCP end gone?
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        assert servers._clients_of(os.getpid(), port) == {client.getsockname()[1]}
        client.close()  # the server's end waits in CLOSE_WAIT: no longer established
        assert servers._clients_of(os.getpid(), port) == set()
        accepted.close()
    gone = subprocess.Popen(["true"])
    gone.wait()
    assert servers._clients_of(gone.pid, port) is None  # cannot tell
    assert servers._clients_of(None, port) is None
