"""A real `make lab` for tests: no browser of its own, a known token, its own settings.

Used by the ``lab`` fixture in tests/conftest.py (test_make_lab.py talks to it over HTTP,
tests/browser/ drives it with Chromium).
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from course._paths import REPO_ROOT

TOKEN = "course-test-token"

# User settings for a lab under test, whoever runs the tests:
# - no autosave: a browser test runs lesson 00 inside the repository, and its outputs
#   must never be written back into the committed notebook;
# - no news toast: it would cover part of the page in screenshots.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _write_settings(settings_dir: Path) -> None:
    for plugin, values in LAB_SETTINGS.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def shut_down_kernels(base: str) -> None:
    """Ask the lab to shut down every kernel it runs (a browser may have started some)."""
    auth = {"Authorization": f"token {TOKEN}"}
    with contextlib.suppress(httpx.HTTPError), httpx.Client(headers=auth, timeout=10) as client:
        for kernel in client.get(f"{base}/api/kernels").json():
            client.delete(f"{base}/api/kernels/{kernel['id']}")


@contextlib.contextmanager
def run_lab(runtime: Path) -> Iterator[str]:
    """Run `make lab` as a student would; yield its base URL, then stop it and its kernels.

    *runtime* is an empty folder: the lab announces itself there (JUPYTER_RUNTIME_DIR, set
    in os.environ too, so ``list_running_servers()`` finds it) and keeps its user settings
    and workspaces there, away from the user's ~/.jupyter.
    """
    port = free_port()
    settings_dir = runtime / "user-settings"
    _write_settings(settings_dir)
    os.environ["JUPYTER_RUNTIME_DIR"] = str(runtime)
    args = (
        f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port}"
        f" --ServerApp.port_retries=0 --IdentityProvider.token={TOKEN}"
    )
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings_dir),
        "JUPYTERLAB_WORKSPACES_DIR": str(runtime / "workspaces"),
    }
    log_path = runtime / "lab.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            ["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # one process group: make and jupyter
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, f"make lab exited:\n{log_path.read_text()}"
            try:
                httpx.get(f"{base}/api/status", params={"token": TOKEN}, timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"no answer in 90 s:\n{log_path.read_text()}"
                time.sleep(0.2)
        yield base
    finally:
        if proc.poll() is None:
            shut_down_kernels(base)  # kernels run in sessions of their own
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        del os.environ["JUPYTER_RUNTIME_DIR"]
