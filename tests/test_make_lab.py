"""`make lab` really serves lesson 00, and jupyter-server-proxy reaches the demo through it.

The ``lab`` fixture (tests/conftest.py) runs `make lab` once for this module."""

import asyncio
import json
import uuid

import httpx
import pytest
from websockets.asyncio.client import connect

from course.live.servers import serve
from tests.jupyter_lab import TOKEN

pytestmark = pytest.mark.slow


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


def test_the_course_turns_jupyterlab_news_off(lab: str) -> None:
    # lab/overrides.json, installed by `make setup`, changes the default every user starts from.
    plugin = "@jupyterlab/apputils-extension:notification"
    found = httpx.get(f"{lab}/lab/api/settings/{plugin}", params={"token": TOKEN}).json()
    assert found["schema"]["properties"]["fetchNews"]["default"] == "false"
    assert found["schema"]["properties"]["checkForUpdates"]["default"] is False


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


async def test_redirects_stay_behind_the_proxy(lab: str) -> None:
    # APPEND_SLASH: /chat/lobby → lobby/, relative, so the /proxy/PORT/ prefix survives.
    with serve(name="proxied-redirect") as demo:
        auth = {"Authorization": f"token {TOKEN}"}
        async with httpx.AsyncClient(headers=auth, follow_redirects=True) as client:
            r = await client.get(f"{lab}/proxy/{demo.port}/chat/lobby")
        assert r.status_code == 200
        assert str(r.url) == f"{lab}/proxy/{demo.port}/chat/lobby/"


async def test_the_doctor_probes_the_proxy_of_a_running_lab(lab: str) -> None:
    from jupyter_server.serverapp import list_running_servers

    from course.live.links import probe_proxy

    port = int(lab.rsplit(":", 1)[1])
    info = next(s for s in list_running_servers() if s["port"] == port)
    with serve(name="proxied-doctor") as demo:
        url = await probe_proxy(info, demo.port)
    assert url.endswith(f"/proxy/{demo.port}/api/v1/data")
    with pytest.raises(httpx.HTTPStatusError):  # nothing listens there any more
        await probe_proxy(info, demo.port)


async def run_in_lab_kernel(lab: str, code: str, seconds: float = 60) -> str:
    """Start a kernel through the lab's REST API, run *code*, return what it printed."""
    auth = {"Authorization": f"token {TOKEN}"}
    async with httpx.AsyncClient(headers=auth) as client:
        kernel = (await client.post(f"{lab}/api/kernels", json={"name": "python3"})).json()
    try:
        url = lab.replace("http", "ws", 1) + f"/api/kernels/{kernel['id']}/channels"
        request_id = uuid.uuid4().hex
        header = {"msg_id": request_id, "msg_type": "execute_request", "username": "test"}
        header |= {"session": uuid.uuid4().hex, "version": "5.3", "date": ""}
        content = {"code": code, "silent": False, "store_history": False}
        content |= {"user_expressions": {}, "allow_stdin": False, "stop_on_error": True}
        message = {"header": header, "parent_header": {}, "metadata": {}, "channel": "shell"}
        printed: list[str] = []
        async with connect(url, additional_headers=auth) as ws:
            await ws.send(json.dumps({**message, "content": content, "buffers": []}))
            async with asyncio.timeout(seconds):
                while True:
                    msg = json.loads(await ws.recv())
                    if msg["parent_header"].get("msg_id") != request_id:
                        continue
                    if msg["msg_type"] == "stream":
                        printed.append(msg["content"]["text"])
                    elif msg["msg_type"] == "error":
                        printed.append("\n".join(msg["content"]["traceback"]))
                    elif msg["msg_type"] == "execute_reply":
                        return "".join(printed)
    finally:
        async with httpx.AsyncClient(headers=auth) as client:
            await client.delete(f"{lab}/api/kernels/{kernel['id']}")


async def test_the_doctor_passes_inside_a_kernel_of_the_lab(lab: str) -> None:
    # What a student does first: lesson 00's doctor, in a kernel the lab started.
    printed = await run_in_lab_kernel(
        lab, "import course\ncourse.setup()\nprint(repr(await course.doctor()))"
    )
    assert "✗" not in printed, printed
    assert "✓ Browser link: GET http://" in printed, printed
    assert "through the Jupyter server's proxy" in printed
