"""``make students HUB=1``: N students at once through a real hub on this host.

    python -m bench.students --hub [-n 8] [--only 00 01]

Starts ``python -m hub`` (the simple spawner unless HUB_SPAWNER says otherwise) with a
``bench`` service, which starts each student's server through the hub's REST API, then runs
the lessons (default 00 and 01, each followed by its solutions) in that server's kernels
through the hub's proxy, cell by cell over the kernel's WebSocket, as a browser would.
Every check() reports to the class board. bench/procs.py samples each student's processes
(single-user server, kernels, daphnes, redis-servers); the figures go to "students_hub" in
bench/results.json.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import websockets

REPO = Path(__file__).resolve().parent.parent
CELL_TIMEOUT = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def notebooks(only: list[str]) -> list[tuple[str, Path]]:
    """(folder in the student's copy to run in, notebook) per lesson and its solutions."""
    found = []
    for lesson in sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        if lesson.name[:2] in only:
            found.append(("course/notebooks", lesson))
            solution = REPO / "solutions" / lesson.name
            if solution.exists():
                found.append(("course/exercises", solution))
    return found


async def execute(ws: Any, code: str) -> str | None:
    """Run *code* in the kernel; the error's name, or None."""
    msg_id = uuid.uuid4().hex
    await ws.send(
        json.dumps(
            {
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "version": "5.3"},
                "parent_header": {},
                "metadata": {},
                "channel": "shell",
                "content": {"code": code, "silent": False, "allow_stdin": False},
            }
        )
    )
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), CELL_TIMEOUT))
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if message["msg_type"] == "execute_reply":
            content = message["content"]
            return None if content["status"] == "ok" else str(content.get("ename", "error"))


async def run_notebook(
    client: httpx.AsyncClient, hub: str, name: str, folder: str, nb: Path
) -> str:
    """Run *nb* in a fresh kernel of *name*'s server; "" if it passed, else what failed."""
    cells = json.loads(await asyncio.to_thread(nb.read_text))["cells"]
    api = f"{hub}/user/{name}/api/kernels"
    kernel = (await client.post(api, json={"name": "python3", "path": folder})).json()
    ws_url = f"{api}/{kernel['id']}/channels".replace("http://", "ws://")
    headers = {"Authorization": client.headers["Authorization"]}
    try:
        async with websockets.connect(ws_url, additional_headers=headers, max_size=None) as ws:
            for cell in cells:
                if cell["cell_type"] != "code":
                    continue
                error = await execute(ws, "".join(cell["source"]))
                if error and "raises-exception" not in cell["metadata"].get("tags", []):
                    return f"{nb.name}: {error}"
        return ""
    finally:
        await client.delete(f"{api}/{kernel['id']}")


async def ready(client: httpx.AsyncClient, hub: str, name: str) -> bool:
    model = (await client.get(f"{hub}/hub/api/users/{name}")).json()
    return bool(model["servers"].get("", {}).get("ready"))


async def student(
    client: httpx.AsyncClient, hub: str, name: str, only: list[str]
) -> dict[str, Any]:
    started = time.monotonic()
    await client.post(f"{hub}/hub/api/users/{name}")
    await client.post(f"{hub}/hub/api/users/{name}/server")
    while not await ready(client, hub, name):  # noqa: ASYNC110 - the hub's state, polled
        await asyncio.sleep(0.5)
    spawned = time.monotonic() - started
    failures = [await run_notebook(client, hub, name, f, nb) for f, nb in notebooks(only)]
    return {
        "name": name,
        "spawn_seconds": round(spawned, 1),
        "seconds": round(time.monotonic() - started, 1),
        "failed": [f for f in failures if f],
        "passed": sum(not f for f in failures),
    }


async def run_class(hub: str, token: str, names: list[str], only: list[str]) -> list[Any]:
    headers = {"Authorization": f"token {token}"}
    async with httpx.AsyncClient(headers=headers, timeout=120) as client:
        return list(await asyncio.gather(*(student(client, hub, n, only) for n in names)))


def measure(count: int, only: list[str]) -> dict[str, Any]:
    """Run the class through a fresh hub; the figures."""
    from bench.procs import Sampler  # the bench's own sampler, by the marker the hub sets

    state = Path(tempfile.mkdtemp(prefix="asgi-hub-students-")) / "state"
    token, port = secrets.token_hex(16), free_port()
    env = {**os.environ, "HUB_PORT": str(port), "HUB_STATE": str(state)}
    env.update(HUB_BENCH_TOKEN=token, HUB_SPAWNER=os.environ.get("HUB_SPAWNER", "simple"))
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    log = state.parent / "hub.log"
    with log.open("wb") as out:
        runner = subprocess.Popen([sys.executable, "-m", "hub"], cwd=REPO, env=env, stdout=out)
    try:
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/hub/health", timeout=2).status_code == 200:
                    break
            if runner.poll() is not None:
                raise RuntimeError(f"the hub exited: see {log}")
            time.sleep(0.3)
        hub_start = time.monotonic() - started
        sampler = Sampler()
        sampler.start()
        began = time.monotonic()
        names = [f"s{i + 1}" for i in range(count)]
        ran = asyncio.run(run_class(url, token, names, only))
        wall = time.monotonic() - began
        sampler.done.set()
        sampler.join()
    finally:
        stop_began = time.monotonic()
        runner.send_signal(signal.SIGTERM)
        runner.wait(timeout=120)
        stop_seconds = time.monotonic() - stop_began
    with contextlib.closing(sqlite3.connect(state / "board.sqlite3")) as db:
        reports = db.execute("select count(*) from board_attempt").fetchone()[0]
    per_student = sorted(sampler.peak_mb_by.values())
    return {
        "students": count,
        "cpus": os.cpu_count(),
        "notebooks_each": len(notebooks(only)),
        "lessons": only,
        "passed": sum(r["passed"] for r in ran),
        "failed": [f for r in ran for f in r["failed"]],
        "hub_start_seconds": round(hub_start, 1),
        "spawn_seconds_max": max(r["spawn_seconds"] for r in ran),
        "student_seconds_max": max(r["seconds"] for r in ran),
        "wall_seconds": round(wall, 1),
        "hub_stop_seconds": round(stop_seconds, 1),
        "peak_pss_mb": round(sampler.peak_mb),
        "peak_pss_mb_one_student": round(per_student[-1]) if per_student else 0,
        "board_reports": reports,
    }


def main(count: int, only: list[str]) -> int:
    from bench import results

    figures = measure(count, only or ["00", "01"])
    print(json.dumps(figures, indent=2))
    results.update("students_hub", {"students_hub": figures})
    return 0 if not figures["failed"] and figures["passed"] else 1
