"""course/live/_spawn.py and _deathsig.py: children that survive Interrupt and die with us."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from course.live import _deathsig, _spawn
from tests.course.helpers import alive, finish, read_report, wait_gone

# Nearly every test here starts a process (a small Python, not a server).
pytestmark = pytest.mark.slow

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
READY_SLEEPER = [sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(60)"]
# Ignores SIGTERM, like a server stuck in shutdown.
STUBBORN = [
    sys.executable,
    "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('ready', flush=True); time.sleep(60)",
]


def wait_for_text(path, text, timeout=5.0):
    deadline = time.monotonic() + timeout
    while text not in _spawn.tail(path, 50):
        assert time.monotonic() < deadline, f"{text!r} never reached {path}"
        time.sleep(0.02)


def test_output_goes_to_the_log_file(tmp_path, capfd):
    log = tmp_path / "child.log"
    code = "import sys; print('to stdout'); print('to stderr', file=sys.stderr)"
    proc = _spawn.spawn([sys.executable, "-c", code], log_path=log)
    assert proc.wait(5) == 0
    assert _spawn.tail(log) == "to stdout\nto stderr"
    assert _spawn.tail(log, 1) == "to stderr"
    out, err = capfd.readouterr()
    assert "to stdout" not in out + err


def test_tail_of_a_missing_file_is_empty(tmp_path):
    assert _spawn.tail(tmp_path / "nope.log") == ""


def test_child_leads_its_own_session(tmp_path):
    proc = _spawn.spawn(SLEEPER, log_path=tmp_path / "log")
    assert os.getsid(proc.pid) == proc.pid != os.getsid(0)
    assert proc in _spawn.running()


def test_stop_terminates_and_is_idempotent(tmp_path):
    proc = _spawn.spawn(SLEEPER, log_path=tmp_path / "log")
    assert _spawn.stop(proc) == -signal.SIGTERM  # SIGTERM ended it: no SIGKILL after a wait
    assert _spawn.stop(proc) == -signal.SIGTERM
    assert proc not in _spawn.running()


def test_stop_kills_a_child_that_ignores_sigterm(tmp_path):
    log = tmp_path / "log"
    proc = _spawn.spawn(STUBBORN, log_path=log)
    wait_for_text(log, "ready")
    assert _spawn.stop(proc, timeout=0.3) == -signal.SIGKILL


def test_stop_all_stops_every_child(tmp_path):
    procs = [_spawn.spawn(SLEEPER, log_path=tmp_path / f"{i}.log") for i in range(3)]
    _spawn.stop_all()
    assert [proc.poll() for proc in procs] == [-signal.SIGTERM] * 3


def test_child_of_a_short_lived_thread_outlives_the_thread(tmp_path):
    # PDEATHSIG fires when the forking *thread* exits: the spawner thread must do the fork.
    log = tmp_path / "log"
    procs = []

    def start_and_leave():
        procs.append(_spawn.spawn(READY_SLEEPER, log_path=log))
        wait_for_text(log, "ready")  # the death signal is armed before the command runs

    thread = threading.Thread(target=start_and_leave)
    thread.start()
    thread.join()
    time.sleep(0.3)
    assert procs[0].poll() is None, "the child died with the thread that asked for it"


def test_wrapper_refuses_to_run_for_a_dead_parent(tmp_path):
    marker = tmp_path / "ran"
    wrong_parent = str(os.getpid() + 1_000_000)
    command = [sys.executable, str(_spawn.WRAPPER), wrong_parent, "--", "touch", str(marker)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=10)
    assert result.returncode == _deathsig.ORPHANED
    assert "is gone" in result.stderr
    assert not marker.exists()


def test_wrapper_usage_error():
    result = subprocess.run(
        [sys.executable, str(_spawn.WRAPPER), "not-a-pid", "true"], capture_output=True, timeout=10
    )
    assert result.returncode == 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_wrapper_arms_the_death_signal():
    code = (
        "import ctypes, signal; sig = ctypes.c_int(); "
        "ctypes.CDLL(None).prctl(2, ctypes.byref(sig), 0, 0, 0); print(sig.value)"
    )  # prctl option 2 is PR_GET_PDEATHSIG
    command = [
        sys.executable,
        str(_spawn.WRAPPER),
        str(os.getpid()),
        "--",
        sys.executable,
        "-c",
        code,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=10)
    assert result.stdout.strip() == str(int(signal.SIGTERM))


# A stand-in kernel that starts one child, reports its pid and waits.
SPAWN_A_SLEEPER = """
import sys
from course.live import _spawn
from course._paths import state_dir
child = _spawn.spawn([sys.executable, "-c", "import time; time.sleep(60)"],
                     log_path=state_dir() / "sleeper.log")
report(pid=child.pid)
wait()
"""


def test_interrupt_spares_the_child(starter):
    # Jupyter's Interrupt button sends SIGINT to the kernel's whole process group.
    proc = starter(SPAWN_A_SLEEPER)
    child = read_report(proc)["pid"]
    os.killpg(proc.pid, signal.SIGINT)
    assert read_report(proc) == {"interrupted": True}
    time.sleep(0.2)
    assert alive(child), "SIGINT to the starter's process group killed its child"
    assert finish(proc) == 0
    assert wait_gone(child, 5), "the child outlived its starter's normal exit"


def test_sigkill_of_the_starter_takes_the_child_along(starter):
    proc = starter(SPAWN_A_SLEEPER)
    child = read_report(proc)["pid"]
    proc.kill()
    proc.wait(5)
    assert wait_gone(child, 5), "the child was orphaned"


def test_normal_exit_waits_for_the_children_to_stop(tmp_path, starter):
    # The atexit handler stops children and waits; PDEATHSIG alone would not wait.
    done = tmp_path / "done"
    proc = starter(
        f"""
        import sys
        from course.live import _spawn
        from course._paths import state_dir
        code = '''
        import signal, sys, time
        def bye(*_):
            time.sleep(0.3)
            open({str(done)!r}, "w").close()
            sys.exit(0)
        signal.signal(signal.SIGTERM, bye)
        print("ready", flush=True)
        time.sleep(60)
        '''
        child = _spawn.spawn([sys.executable, "-c", code.replace(chr(10) + "        ", chr(10))],
                             log_path=state_dir() / "slow-exit.log")
        while "ready" not in _spawn.tail(state_dir() / "slow-exit.log"):
            pass
        report(pid=child.pid)
        wait()
        """
    )
    read_report(proc)
    assert finish(proc) == 0
    assert done.exists(), "the starter exited before its child had stopped"


def test_wrapper_caps_memory_for_good():
    code = (
        "import resource\n"
        "try:\n    resource.setrlimit(resource.RLIMIT_DATA, (-1, -1))\n"
        "except ValueError:\n    print('cannot raise')\n"
        "try:\n    b = bytearray(400 * 1024 * 1024)\n"
        "except MemoryError:\n    print('MemoryError')\n"
        "small = bytearray(20 * 1024 * 1024)\nprint('small ok')\n"
    )
    wrapper = [sys.executable, str(_spawn.WRAPPER), str(os.getpid()), "--memory-mb", "200"]
    result = subprocess.run(
        [*wrapper, "--", sys.executable, "-c", code], capture_output=True, text=True, timeout=10
    )
    assert result.stdout.split() == ["cannot", "raise", "MemoryError", "small", "ok"], result
