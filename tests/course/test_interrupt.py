"""In a real kernel after course.setup(): Interrupt stops a cell that awaits forever within
a second, in one line, and the kernel goes on (course/interrupt.py; ipykernel #881)."""

import asyncio
import os
import re
import textwrap
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from course._paths import REPO_ROOT
from tests.kernels import IpcKernelManager

pytestmark = pytest.mark.slow

MOST_SECONDS = 1.0  # from Interrupt to the cell's reply

SETUP = """
import asyncio, time, course
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
course.setup(quiet=True)
x = 42

async def echo(ws):  # says nothing until spoken to
    async for message in ws:
        await ws.send(message)

server = await serve(echo, "127.0.0.1", 0)
ws = await connect(f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}")
print("ready")
"""

AWAITS = {
    "await asyncio.Event().wait()": "Event.wait()",
    "await asyncio.sleep(1e6)": "asyncio.sleep()",
    "await ws.recv()": "Connection.recv()",
}
SYNC = ["while True: pass", "time.sleep(100)", "await asyncio.sleep(0)\nwhile True: pass"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Kernel:
    """A real ipykernel, started as JupyterLab starts it, on a throwaway demo database."""

    def __init__(self, db: Path) -> None:
        self.manager = IpcKernelManager(kernel_name="python3")
        self.db = db
        self.client: Any = None

    async def start(self) -> None:
        env = {**os.environ, "DEMO_DB": str(self.db)}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        await self.manager.start_kernel(cwd=str(REPO_ROOT), env=env)
        self.client = self.manager.client()
        self.client.start_channels()
        await self.client.wait_for_ready(timeout=30)

    async def run(
        self, code: str, seconds: float = 30, started: asyncio.Event | None = None
    ) -> tuple[str, list[str]]:
        """Execute *code*: its reply status and its outputs (errors as their traceback)."""
        out: list[str] = []

        def collect(msg: dict[str, Any]) -> None:
            content = msg["content"]
            if msg["msg_type"] == "stream":
                out.append(content["text"])
                if started is not None and "started" in content["text"]:
                    started.set()
            elif msg["msg_type"] == "error":
                out.append("ERROR " + ANSI.sub("", "\n".join(content["traceback"])))
            elif msg["msg_type"] in ("display_data", "execute_result"):
                out.append("DISPLAY " + content["data"].get("text/plain", ""))

        reply = await self.client.execute_interactive(code, timeout=seconds, output_hook=collect)
        return reply["content"]["status"], out

    async def interrupt_after_start(self, code: str) -> tuple[float, str, list[str]]:
        """Run *code*, press Interrupt once it runs: seconds until its reply, status, outputs."""
        started = asyncio.Event()
        cell = asyncio.create_task(
            self.run("print('started', flush=True)\n" + code, seconds=10, started=started)
        )
        await asyncio.wait_for(started.wait(), 10)
        await asyncio.sleep(0.3)  # well inside the await (or the loop)
        pressed = time.monotonic()
        await self.manager.interrupt_kernel()
        try:
            status, out = await cell
        except TimeoutError:
            pytest.fail(f"the cell still ran {10:.0f} s after Interrupt")
        return time.monotonic() - pressed, status, [o for o in out if o != "started\n"]

    async def close(self) -> None:
        self.client.stop_channels()
        if await self.manager.is_alive():
            await self.manager.shutdown_kernel(now=True)
        await self.manager.cleanup_resources()  # type: ignore[func-returns-value]
        self.manager.context.destroy()


@pytest.fixture
async def kernel(tmp_path: Path) -> AsyncIterator[Kernel]:
    k = Kernel(tmp_path / "db.sqlite3")
    await k.start()
    try:
        status, out = await k.run(SETUP)
        assert (status, out) == ("ok", ["ready\n"]), out
        yield k
    finally:
        await k.close()


async def the_kernel_goes_on(kernel: Kernel) -> None:
    """The next cell runs normally: no CancelledError, the variable and the server are kept."""
    code = "await ws.send('still here')\nprint(x, await ws.recv())"
    assert await kernel.run(code, seconds=5) == ("ok", ["42 still here\n"])


@pytest.mark.parametrize("code", AWAITS, ids=AWAITS.values())
async def test_interrupt_stops_an_await_in_one_line(kernel: Kernel, code: str) -> None:
    seconds, status, out = await kernel.interrupt_after_start(code)
    print(f"{code!r}: ended {seconds * 1000:.0f} ms after Interrupt")
    assert seconds < MOST_SECONDS
    assert status == "error"
    assert len(out) == 1, out
    assert out[0].startswith(f"ERROR Interrupted: the cell was waiting on {AWAITS[code]}"), out
    assert "\n" not in out[0], "one line, no traceback"
    await the_kernel_goes_on(kernel)


@pytest.mark.parametrize("code", SYNC, ids=["busy loop", "time.sleep", "busy after an await"])
async def test_interrupt_stops_sync_code_with_keyboard_interrupt(kernel: Kernel, code: str) -> None:
    seconds, status, out = await kernel.interrupt_after_start(code)
    print(f"{code!r}: ended {seconds * 1000:.0f} ms after Interrupt")
    assert seconds < MOST_SECONDS
    assert status == "error"
    assert len(out) == 1 and out[0].startswith("ERROR"), out
    assert "KeyboardInterrupt" in out[0], out
    await the_kernel_goes_on(kernel)


async def test_interrupt_pressed_twice_still_leaves_a_working_kernel(kernel: Kernel) -> None:
    started = asyncio.Event()  # not a fixed second: on a busy machine the cell starts later
    code = "print('started', flush=True)\nawait asyncio.Event().wait()"
    cell = asyncio.create_task(kernel.run(code, seconds=10, started=started))
    await asyncio.wait_for(started.wait(), 10)
    await asyncio.sleep(0.3)  # well inside the await
    await kernel.manager.interrupt_kernel()
    await kernel.manager.interrupt_kernel()
    status, out = await cell
    out = [o for o in out if o != "started\n"]
    assert status == "error" and len(out) == 1 and "Interrupted" in out[0], out
    await the_kernel_goes_on(kernel)


async def test_interrupt_after_the_cell_ended_loses_no_reply(kernel: Kernel) -> None:
    # The kernel's own work after a cell (here: a post_run_cell hook that takes 3 s), where
    # ipykernel's default handler raised KeyboardInterrupt and the reply was lost.
    slow_end = "get_ipython().events.register('post_run_cell', lambda result: time.sleep(3))"
    assert await kernel.run(slow_end) == ("ok", [])
    started = asyncio.Event()
    cell = asyncio.create_task(kernel.run("print('started')", seconds=15, started=started))
    await asyncio.wait_for(started.wait(), 10)  # the cell's code is done; the hook sleeps
    await asyncio.sleep(0.3)
    await kernel.manager.interrupt_kernel()
    assert await cell == ("ok", ["started\n"])
    await the_kernel_goes_on(kernel)


async def test_a_signal_on_another_thread_wakes_the_loop(kernel: Kernel) -> None:
    # macOS hands a process's SIGINT to any thread; Linux to the main one, unless it blocks it.
    code = """
    import signal, threading
    to_self = lambda: signal.pthread_kill(threading.get_ident(), signal.SIGINT)
    threading.Timer(0.5, to_self).start()
    await asyncio.Event().wait()
    """
    start = time.monotonic()
    status, out = await kernel.run(textwrap.dedent(code), seconds=5)
    assert time.monotonic() - start < 0.5 + MOST_SECONDS
    assert status == "error" and len(out) == 1 and "Interrupted" in out[0], out
    await the_kernel_goes_on(kernel)


async def test_a_cancelled_error_of_the_cells_own_keeps_its_traceback(kernel: Kernel) -> None:
    code = "t = asyncio.ensure_future(asyncio.sleep(10))\nt.cancel()\nawait t"
    status, out = await kernel.run(code)
    assert status == "error"
    assert "CancelledError" in out[0] and "Interrupted" not in out[0], out
    await the_kernel_goes_on(kernel)
