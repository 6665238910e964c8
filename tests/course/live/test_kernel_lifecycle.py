"""In a real Jupyter kernel: servers survive the Interrupt button and die with the kernel."""

import asyncio
import json
import os
import signal
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.course.helpers import alive, wait_gone
from tests.kernels import IpcKernelManager

pytestmark = pytest.mark.slow

START = """
import json, course
from course.live import forkserver
server = course.serve(name="kernel-test")
redis = course.start_redis(name="kernel-test-redis")
print(json.dumps([server.pid, redis.pid, forkserver.pid()]))
"""


class Kernel:
    """A real ipykernel, as JupyterLab starts it, that runs cells and reports their output."""

    def __init__(self) -> None:
        self.manager = IpcKernelManager(kernel_name="python3")
        self.client: Any = None

    async def start(self) -> None:
        await self.manager.start_kernel()
        self.client = self.manager.client()
        self.client.start_channels()
        await self.client.wait_for_ready(timeout=30)

    async def run(self, code: str, seconds: float = 30) -> str:
        """Execute *code*; return what it printed, errors as ``ERROR <name>``."""
        out: list[str] = []

        def collect(msg: dict[str, Any]) -> None:
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append("ERROR " + msg["content"]["ename"])

        await self.client.execute_interactive(code, timeout=seconds, output_hook=collect)
        return "".join(out)

    async def close(self) -> None:
        self.client.stop_channels()
        if await self.manager.is_alive():
            await self.manager.shutdown_kernel(now=True)
        await self.manager.cleanup_resources()  # type: ignore[func-returns-value]
        self.manager.context.destroy()


@pytest.fixture
async def kernel() -> AsyncIterator[Kernel]:
    k = Kernel()
    await k.start()
    try:
        yield k
    finally:
        await k.close()


async def test_sigkill_of_the_kernel_leaves_no_daphne_no_redis_no_fork_server(
    kernel: Kernel,
) -> None:
    pids = json.loads(await kernel.run(START))
    assert None not in pids, "the daphne was not forked"
    assert all(alive(pid) for pid in pids)
    os.kill(kernel.manager.provisioner.pid, signal.SIGKILL)  # type: ignore[union-attr]
    for pid in pids:
        assert wait_gone(pid, timeout=5), f"pid {pid} outlived its kernel"


async def test_interrupt_spares_the_servers(kernel: Kernel) -> None:
    pids = json.loads(await kernel.run(START))
    # Press Interrupt one second into a cell that sleeps for 30 s.
    interrupt = asyncio.get_running_loop().call_later(
        1.0, lambda: asyncio.ensure_future(kernel.manager.interrupt_kernel())
    )
    printed = await kernel.run("import time\ntime.sleep(30)")
    interrupt.cancel()
    assert "ERROR" in printed, "the cell was not interrupted"
    assert all(alive(pid) for pid in pids), "Interrupt killed a server"
    code = "import httpx; print(httpx.get(server.url + 'api/v1/data').status_code)"
    assert (await kernel.run(code)).strip() == "200"
    await kernel.run("course.stop_all()")
    daphne, redis, fork_server = pids
    for pid in (daphne, redis):
        assert wait_gone(pid, timeout=5)
    assert alive(fork_server), "stop_all() stops servers; the fork server stays for the next"


HANGS = """
import os, pathlib, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
pathlib.Path(sys.argv[1] + ".new").write_text(f"{os.getpid()} {child.pid}")
os.replace(sys.argv[1] + ".new", sys.argv[1])  # whole, or not there
time.sleep(60)
"""


async def test_interrupt_ends_a_run_python_and_what_it_started(kernel: Kernel, tmp_path) -> None:
    script, pids = tmp_path / "hangs.py", tmp_path / "pids"
    script.write_text(HANGS)
    code = f"import course\ndone = course.run_python([{str(script)!r}, {str(pids)!r}])"

    async def interrupt_once_it_runs() -> None:
        for _ in range(600):  # its script writes the pids once it and its child run
            if pids.exists():
                break
            await asyncio.sleep(0.1)
        await kernel.manager.interrupt_kernel()

    pressing = asyncio.ensure_future(interrupt_once_it_runs())
    printed = await kernel.run(code, seconds=90)
    await pressing
    assert "ERROR KeyboardInterrupt" in printed, printed
    assert pids.exists(), "the run never started"
    for pid in map(int, pids.read_text().split()):
        assert wait_gone(pid, timeout=5), f"pid {pid} outlived the interrupted run"
    assert (await kernel.run("print('done' in globals())")).strip() == "False"
