"""course/live/forkserver.py, _zygote.py, _become.py: servers forked from a preloaded process."""

import os
import signal
import subprocess
import sys
import time

import httpx
import psutil
import pytest

from course._paths import DEMO_DIR
from course.live import _become, _fork_client, _spawn, forkserver
from course.live.servers import serve
from course.live.workers import start_worker
from tests.course.helpers import ECHO_APP, alive, read_report, wait_gone

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fresh_fork_server")]


def test_serve_forks_a_server_that_answers():
    server = serve(ECHO_APP, env={"ONLY_HERE": "yes"})
    assert isinstance(server._proc, forkserver.ForkedChild)
    proc = psutil.Process(server.pid)
    assert proc.ppid() == forkserver.pid() != os.getpid()
    assert proc.name() == "daphne"
    assert os.getsid(server.pid) == server.pid  # its own session: Interrupt spares it
    assert httpx.get(server.url + "env/ONLY_HERE").text == "yes"  # its own environment
    assert httpx.get(server.url + "env/DJANGO_SETTINGS_MODULE").text == "config.settings"
    assert "Listening on TCP address" in server.log_path.read_text()
    assert server._proc in _spawn.running()


def test_a_forked_server_holds_the_socket_and_nothing_else():
    server = serve(ECHO_APP)
    proc = psutil.Process(server.pid)
    assert [c.laddr.port for c in proc.net_connections("tcp")] == [server.port]
    assert proc.cwd() == str(DEMO_DIR)
    kinds = {os.path.basename(f.path) for f in proc.open_files()}
    assert server.log_path.name in kinds
    assert not {"forkserver.log"} & kinds, "the fork server's log leaked into a server"


def test_each_server_has_its_own_settings_module():
    redis_env = {"DJANGO_SETTINGS_MODULE": "config.settings_jobs"}
    first = serve(ECHO_APP, name="first")
    second = serve(ECHO_APP, name="second", env=redis_env)
    assert httpx.get(first.url + "env/DJANGO_SETTINGS_MODULE").text == "config.settings"
    assert httpx.get(second.url + "env/DJANGO_SETTINGS_MODULE").text == "config.settings_jobs"
    assert psutil.Process(first.pid).ppid() == psutil.Process(second.pid).ppid()


def test_the_demo_and_a_worker_start_forked():
    server = serve(name="demo")
    assert httpx.get(server.url + "api/v1/data", params={"filter": "active"}).status_code == 200
    worker = start_worker("forked-jobs", settings="config.settings_jobs")
    assert isinstance(worker._proc, forkserver.ForkedChild)
    assert psutil.Process(worker.pid).name() == "runworker"


def test_a_failing_app_reports_its_exit_status():
    with pytest.raises(RuntimeError, match="exited with status 1") as info:
        serve("tests.course.no_such_module:application")
    assert "ModuleNotFoundError" in str(info.value)
    assert forkserver.pid() is not None  # the fork server is fine


def test_stop_ends_it_with_sigterm_and_reports_the_status():
    server = serve(ECHO_APP)
    pid, child = server.pid, server._proc
    server.stop()
    assert child is not None and child.returncode is not None
    assert child.returncode != -signal.SIGKILL, "it needed SIGKILL: stop() never saw it end"
    assert wait_gone(pid, 1)


def test_a_killed_fork_server_falls_back_to_spawn_and_says_so_once(capfd):
    server = serve(ECHO_APP, name="forked")
    zygote = forkserver.pid()
    assert zygote is not None
    os.kill(zygote, signal.SIGKILL)
    assert wait_gone(server.pid, 5), "a forked server outlived its fork server"
    spawned = serve(ECHO_APP, name="spawned")
    assert isinstance(spawned._proc, subprocess.Popen)
    assert httpx.get(spawned.url).status_code == 200
    again = serve(ECHO_APP, name="again")
    assert isinstance(again._proc, subprocess.Popen)
    err = capfd.readouterr().err
    assert err.count("the fork server") == 1, err
    assert f"(pid {zygote}) exited with status -9" in err
    assert "slow way" in err


def test_a_fork_server_that_never_gets_ready_falls_back(monkeypatch, capfd):
    monkeypatch.setattr(_fork_client, "BOOT_TIMEOUT", 0.0)
    server = serve(ECHO_APP)
    assert isinstance(server._proc, subprocess.Popen)
    assert "was not ready after 0 s" in capfd.readouterr().err
    assert forkserver.pid() is None


def test_warm_boots_it_in_the_background():
    forkserver.warm()
    deadline = time.monotonic() + 30
    while forkserver.pid() is None:
        assert time.monotonic() < deadline, "the fork server never came up"
        time.sleep(0.05)
    assert psutil.Process(forkserver.pid()).name() == "forkserver"
    server = serve(ECHO_APP)
    assert psutil.Process(server.pid).ppid() == forkserver.pid()


def test_switched_off_it_spawns(monkeypatch):
    monkeypatch.setenv(forkserver.SWITCH, "0")
    server = serve(ECHO_APP)
    assert isinstance(server._proc, subprocess.Popen)
    assert forkserver.pid() is None


WHO_AM_I = """
import os, sys
print("parent", os.getppid(), "in", os.getcwd(), "with", os.environ.get("ONLY_HERE"))
print("to stderr", file=sys.stderr)
sys.exit(3)
"""


@pytest.mark.parametrize("forked", [True, False])
def test_run_python_runs_a_fresh_python_and_waits(tmp_path, monkeypatch, forked):
    if not forked:
        monkeypatch.setenv(forkserver.SWITCH, "0")
    script = tmp_path / "who.py"
    script.write_text(WHO_AM_I)
    done = forkserver.run_python([str(script)], cwd=tmp_path, env={**os.environ, "ONLY_HERE": "1"})
    assert done.returncode == 3 and done.args == [sys.executable, str(script)]
    # Spawned, the death-signal wrapper execs the command: its parent is this process.
    parent = forkserver.pid() if forked else os.getpid()
    assert done.stdout.splitlines() == [f"parent {parent} in {tmp_path} with 1", "to stderr"]
    assert (forkserver.pid() is not None) == forked
    with pytest.raises(subprocess.CalledProcessError):
        done.check_returncode()
    assert not _spawn.running(), "a finished run stays among the kernel's children"


def test_sigkill_of_the_kernel_leaves_no_process(starter):
    proc = starter(
        f"""
        from course.live import forkserver
        from course.live.redis_server import start_redis
        from course.live.servers import serve
        from course.live.workers import start_worker
        redis = start_redis()
        server = serve({ECHO_APP!r}, env=redis.env())
        worker = start_worker("left-jobs", settings="config.settings_jobs", env=redis.env())
        report(pids=[server.pid, worker.pid, redis.pid, forkserver.pid()],
               forked=[type(p._proc).__name__ for p in (server, worker)])
        wait()
        """
    )
    got = read_report(proc, timeout=60)
    assert got["forked"] == ["ForkedChild", "ForkedChild"]
    assert all(alive(pid) for pid in got["pids"])
    proc.kill()
    for pid in got["pids"]:
        assert wait_gone(pid, 5), f"{pid} outlived its kernel"


def test_interrupt_spares_the_fork_server_and_its_servers(starter):
    proc = starter(
        f"""
        from course.live import forkserver
        from course.live.servers import serve
        server = serve({ECHO_APP!r})
        report(pids=[server.pid, forkserver.pid()], port=server.port)
        wait()
        """
    )
    got = read_report(proc, timeout=60)
    os.killpg(proc.pid, signal.SIGINT)  # what Jupyter's Interrupt button does
    assert read_report(proc) == {"interrupted": True}
    assert all(alive(pid) for pid in got["pids"])
    assert httpx.get(f"http://127.0.0.1:{got['port']}/").status_code == 200


def test_only_python_commands_are_forked():
    assert forkserver.forkable([sys.executable, "-m", "daphne", "app"])
    assert forkserver.forkable([sys.executable, "manage.py", "runworker", "x"])
    assert not forkserver.forkable([sys.executable, "-c", "pass"])
    assert not forkserver.forkable(["redis-server", "x.conf"])
    assert not forkserver.forkable(["/usr/bin/python3", "-m", "daphne"])


def test_names_and_exit_codes_a_child_takes():
    assert _become.label(["-m", "daphne", "--fd", "5"]) == "daphne"
    assert _become.label(["manage.py", "runworker", "jobs"]) == "runworker"
    assert [_become.exit_code(c) for c in (None, 0, 3, 256)] == [0, 0, 3, 0]
