"""A real `make hub` for tests: on free ports, in a folder of its own, with known passwords."""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from course._paths import REPO_ROOT
from tests.jupyter_lab import free_port

PASSWORD = "class-password-19"
ADMIN = "instructor"
ADMIN_PASSWORD = "instructor-password-" + "x" * 20
PROXY = REPO_ROOT / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"


@dataclass(frozen=True)
class Hub:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    state: Path  # hub/state/ for this hub: students' homes under homes/NAME
    log: Path
    started_in: float  # seconds from the command to a healthy hub
    spawner: str = "simple"  # HUB_SPAWNER: simple, or system (a Unix account per student)

    def home(self, student: str) -> Path:
        if self.spawner == "system":
            return Path(pwd.getpwnam(student).pw_dir)
        return self.state / "homes" / student


def missing() -> str | None:
    """What `make hub-setup` has not installed, or None."""
    try:
        import jupyterhub  # noqa: F401
        import jupyterhub_idle_culler  # noqa: F401
    except ImportError:
        return "the hub extra (jupyterhub, jupyterhub-idle-culler): run `make hub-setup`"
    if not PROXY.exists():
        return f"{PROXY.relative_to(REPO_ROOT)}: run `make hub-setup` (npm ci in hub/)"
    return None


@contextlib.contextmanager
def run_hub(
    state: Path, timeout: float = 90, spawner: str = "simple", python: str = sys.executable
) -> Iterator[Hub]:
    """`python -m hub` (what `make hub` runs) with *spawner*, by *python* (a .venv's);
    stopped with SIGTERM.

    On the way out it fails unless the hub, its proxy, its services and every student's
    server and kernel are gone.
    """
    port = free_port()
    env = {
        **os.environ,
        "HUB_PORT": str(port),
        "HUB_STATE": str(state),
        "HUB_SPAWNER": spawner,
        "HUB_PASSWORD": PASSWORD,
        "HUB_ADMIN": ADMIN,
        "HUB_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    log = state.parent / f"{state.name}.log"
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    with log.open("wb") as out:
        runner = subprocess.Popen(
            [python, "-m", "hub"], cwd=REPO_ROOT, env=env, stdout=out, stderr=out
        )
    try:
        while True:
            if runner.poll() is not None:
                tail = log.read_text()[-3000:]
                raise RuntimeError(f"the hub exited {runner.returncode}:\n{tail}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/hub/health", timeout=2).status_code == 200:
                    board = httpx.get(f"{url}/services/board/", timeout=2)
                    if board.status_code in (302, 303):  # the board's service is up too
                        break
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"no hub in {timeout} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield Hub(url, state, log, round(time.monotonic() - started, 1), spawner)
    finally:
        everything = [runner.pid]
        with contextlib.suppress(psutil.Error):
            everything += [p.pid for p in psutil.Process(runner.pid).children(recursive=True)]
        runner.send_signal(signal.SIGTERM)
        try:
            runner.wait(timeout=90)
        except subprocess.TimeoutExpired:
            runner.kill()
            raise
        left = [pid for pid in everything if psutil.pid_exists(pid) and _not_zombie(pid)]
        assert not left, f"still running after the hub stopped: {left}"


def _not_zombie(pid: int) -> bool:
    with contextlib.suppress(psutil.Error):
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    return False
