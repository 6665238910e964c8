"""A fresh, fenced-in IPython kernel for one submission: run a cell, and always get an answer.

Every ``run()`` returns within its timeout plus a few seconds, whatever the cell does (time
the kernel waited for a busy machine's CPU not counted): an endless loop is interrupted; a
hung ``await`` that an interrupt cannot stop, a segfault or ``os._exit`` show up as "hung" or
"died", and the caller restarts the kernel. The kernel's data size is capped
(``--memory-mb``), it dies with the grader, and only the first ``keep_bytes`` of its output
are kept: a flood is counted, not stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from queue import Empty
from typing import Any, Literal

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager

from course.live._spawn import WRAPPER

RunStatus = Literal["ok", "error", "timeout", "hung", "died", "flooded"]
INTERRUPT_GRACE = 3.0  # seconds an interrupted cell gets to come back before we call it hung
POLL = 0.5  # how often a silent kernel is checked for being alive
START_TIMEOUT = 60.0
# ipykernel's entry point, minus its debugger: importing debugpy costs a grading kernel 0.1 s
# of CPU at every start, and nobody debugs a submission while it is graded.
LAUNCH = (
    "import sys; sys.modules['debugpy'] = None; "
    "from ipykernel import kernelapp; kernelapp.launch_new_instance()"
)
MAX_DISPLAYS = 50  # display outputs kept per cell (the grader needs one)
# The kernel talks over Unix sockets in its own folder, not TCP ports: a port is picked by
# binding port 0 and letting it go, and until the kernel binds it any other process (a second
# grader, a test's server) may take it; the kernel then dies at start ("Address already in
# use") and its submission lost every row. Windows has no ipc transport.
IPC = sys.platform != "win32"


@dataclass
class CellRun:
    """What running one cell gave: a status, some of its output, and any display data."""

    status: RunStatus = "ok"
    error: str = ""  # "NameError: name 'x' is not defined"
    text: str = ""  # the first keep_bytes of stdout, stderr and tracebacks
    output_bytes: int = 0
    data: list[dict[str, Any]] = field(default_factory=list)  # display_data / execute_result


def _stamp(msg: dict[str, Any] | None) -> float:
    """When the kernel sent ``msg`` (its header's date), as a time.time(); inf if unknown."""
    date = (msg or {}).get("header", {}).get("date")
    return date.timestamp() if isinstance(date, datetime) else float("inf")


class _Spec(KernelSpecManager):
    """Hands out one kernel spec: ipykernel behind the death-signal and memory wrapper."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__()
        self._spec = KernelSpec(argv=argv, display_name="grader", language="python")

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return self._spec


class SandboxKernel:
    def __init__(
        self, cwd: Path, *, memory_mb: int, max_output: int, keep_bytes: int = 20_000
    ) -> None:
        self.cwd, self.max_output, self.keep_bytes = cwd, max_output, keep_bytes
        argv = [sys.executable, "-I", "-S", str(WRAPPER), str(os.getpid())]
        argv += ["--memory-mb", str(memory_mb), "--", sys.executable, "-c", LAUNCH]
        # No history database: a grading kernel is thrown away, and it starts faster.
        argv += ["-f", "{connection_file}", "--HistoryManager.enabled=False"]
        self._argv = argv
        self.log_path = cwd / "kernel.log"
        self._km: AsyncKernelManager | None = None
        self._kc: Any = None

    async def start(self) -> None:
        sockets = {"transport": "ipc", "ip": str(self.cwd / "zmq")} if IPC else {}
        self._km = AsyncKernelManager(
            kernel_spec_manager=_Spec(self._argv), kernel_name="grader", **sockets
        )
        env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1", "MPLBACKEND": "Agg"}
        with self.log_path.open("ab") as log:
            await self._km.start_kernel(cwd=str(self.cwd), env=env, stdout=log, stderr=log)
        self._kc = self._km.client()
        self._kc.start_channels()
        try:
            await self._kc.wait_for_ready(timeout=START_TIMEOUT)
        except RuntimeError as error:  # say why: the log goes with the kernel's folder
            raise RuntimeError(f"{error}; the kernel's log ends: {self.log_tail(1)}") from None

    async def stop(self) -> None:
        if self._kc is not None:
            self._kc.stop_channels()
            self._kc = None
        if self._km is not None and self._km.has_kernel:
            await self._km.shutdown_kernel(now=True)
        self._km = None

    async def dispose(self) -> None:
        """Stop the kernel and remove its scratch folder."""
        await self.stop()
        shutil.rmtree(self.cwd, ignore_errors=True)

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-lines:])

    async def run(self, code: str, timeout: float) -> CellRun:  # noqa: ASYNC109 - see the loop
        """Run ``code`` and collect what it shows; never waits much past ``timeout``.

        Time is the kernel's: the clock starts when it stamps the cell's ``execute_input``,
        leaves out the time the kernel waited for a CPU (a busy machine's, not the cell's),
        and past a deadline whatever the kernel sent before it (by its stamp) is read before
        any verdict: the grader may have been slow to read (another submission's 50 MB of
        output to parse, a starved CPU), and that is no time the cell took.
        """
        assert self._km is not None and self._kc is not None, "start() the kernel first"
        result = CellRun()
        msg_id = self._kc.execute(code, store_history=False, allow_stdin=False)
        deadline, waited = time.time() + timeout, self._cpu_wait()  # wall clock, as stamps are
        interrupted = False
        while True:
            due = deadline + max(0.0, self._cpu_wait() - waited)
            wait = due - time.time()
            try:
                msg = await self._kc.get_iopub_msg(timeout=max(0.0, min(POLL, wait)))
            except Empty:
                if wait > 0 and not await self._km.is_alive():
                    result.status = "died"
                    return result
                msg = None
            sent = _stamp(msg)
            if msg is not None and msg["parent_header"].get("msg_id") == msg_id:
                kind = self._collect(msg, result)
                if kind == "idle":
                    return result
                if kind == "execute_input" and sent <= due and not interrupted:
                    deadline = sent + timeout  # the cell's clock starts as the kernel starts it
                if result.status == "flooded" and not interrupted:
                    interrupted = True
                    await self._km.interrupt_kernel()
                    deadline, waited = time.time() + INTERRUPT_GRACE, self._cpu_wait()
                    continue
            if wait > 0 or sent <= due:
                continue  # in time, or sent in time though read late: read on
            if interrupted:
                result.status = "hung"
                return result
            interrupted = True
            if result.status == "ok":
                result.status = "timeout"
            await self._km.interrupt_kernel()
            deadline, waited = time.time() + INTERRUPT_GRACE, self._cpu_wait()

    def _cpu_wait(self) -> float:
        """Seconds the kernel's main thread has waited, runnable, for a CPU (Linux); else 0."""
        try:
            pid = self._km.provisioner.pid  # type: ignore[union-attr]
            with open(f"/proc/{pid}/schedstat") as stats:
                return int(stats.read().split()[1]) / 1e9
        except (AttributeError, OSError, IndexError, ValueError):
            return 0.0

    def _collect(self, msg: dict[str, Any], result: CellRun) -> str:
        kind: str = msg["msg_type"]
        content = msg["content"]
        if kind == "status":
            return str(content["execution_state"])
        if kind == "stream":
            self._keep(result, content["text"])
        elif kind == "error":
            if result.status == "ok":
                result.status = "error"
            result.error = f"{content['ename']}: {content['evalue']}"
            self._keep(result, f"{result.error}\n")
        elif kind in ("display_data", "execute_result"):
            data = content.get("data", {})
            if len(result.data) < MAX_DISPLAYS:
                result.data.append(data)
            self._keep(result, str(data.get("text/plain", "")) + "\n")
        return kind

    def _keep(self, result: CellRun, text: str) -> None:
        result.output_bytes += len(text)
        room = self.keep_bytes - len(result.text)
        if room > 0:
            result.text += text[:room]
        if result.output_bytes > self.max_output:
            result.status = "flooded"


async def fresh_kernel(memory_mb: int, max_output: int) -> SandboxKernel:
    """A started kernel in a scratch folder of its own (``dispose()`` removes both)."""
    scratch = Path(tempfile.mkdtemp(prefix="course-grade-"))
    kernel = SandboxKernel(scratch, memory_mb=memory_mb, max_output=max_output)
    try:
        await kernel.start()
    except BaseException:
        await kernel.dispose()
        raise
    return kernel


class Supply:
    """Fresh kernels with one always starting ahead, so a submission rarely waits for its own.

    A kernel takes about 0.6 s to start, much of it waiting; starting the next one while the
    current submissions run keeps both cores busy. ``close()`` disposes of any left unused.
    """

    def __init__(self, memory_mb: int, max_output: int) -> None:
        self._args = (memory_mb, max_output)
        self._next: asyncio.Task[SandboxKernel] | None = None

    async def take(self) -> SandboxKernel:
        task = self._next or asyncio.create_task(fresh_kernel(*self._args))
        self._next = asyncio.create_task(fresh_kernel(*self._args))
        return await task

    async def close(self) -> None:
        if self._next is not None:
            task, self._next = self._next, None
            # A spare kernel that failed to start has nothing to clean up.
            with contextlib.suppress(Exception):
                await (await task).dispose()
