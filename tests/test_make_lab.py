"""`make lab` really serves lesson 00, and jupyter-server-proxy reaches the demo through it."""

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest
from websockets.asyncio.client import connect

from course._paths import REPO_ROOT
from course.servers import serve

pytestmark = pytest.mark.slow
TOKEN = "course-test-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    args = (
        f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port}"
        f" --ServerApp.port_retries=0 --IdentityProvider.token={TOKEN}"
    )
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)}
    log_path = runtime / "lab.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            ["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # one process group: make, jupyter and its kernels
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
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def test_make_lab_serves_lesson_00(lab: str) -> None:
    page = httpx.get(
        f"{lab}/lab/tree/notebooks/00-welcome-and-setup.ipynb", params={"token": TOKEN}
    )
    assert page.status_code == 200
    assert "JupyterLab" in page.text
    nb = httpx.get(
        f"{lab}/api/contents/notebooks/00-welcome-and-setup.ipynb", params={"token": TOKEN}
    )
    assert nb.status_code == 200
    assert nb.json()["content"]["cells"], "lesson 00 has no cells"
    specs = httpx.get(f"{lab}/api/kernelspecs", params={"token": TOKEN}).json()
    assert "python3" in specs["kernelspecs"]


async def test_demo_is_reachable_through_jupyter_server_proxy(lab: str) -> None:
    with serve(name="proxied-demo") as demo:
        url = f"{lab}/proxy/{demo.port}/api/v1/data"
        async with httpx.AsyncClient() as client:
            r = await client.get(url, params={"filter": "active", "token": TOKEN})
        assert r.status_code == 200, r.text
        assert r.json()["filter"] == "active"
        # The WebSocket goes through the proxy too; the browser's Origin is the lab's.
        ws = lab.replace("http", "ws") + f"/proxy/{demo.port}/ws/echo/async/?token={TOKEN}"
        async with connect(ws, origin=lab) as sock:
            await sock.send("ping")
            assert "ping" in str(await sock.recv())
