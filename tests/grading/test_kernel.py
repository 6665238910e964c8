"""A grading kernel's start: no TCP port to lose, and a kernel that will not start costs no rows."""

import asyncio
import os
import sys
import time
from pathlib import Path

import nbformat
import pytest

from course.grading import submission
from course.grading.kernel import IPC, SandboxKernel, fresh_kernel
from course.grading.submission import Options, grade_submission
from tests.checks.helpers import FULL01, LESSON01, SOLUTIONS_DIR, notebook_with

pytestmark = pytest.mark.slow


@pytest.mark.skipif(not IPC, reason="no ipc transport on Windows")
async def test_a_kernel_talks_over_sockets_in_its_own_folder() -> None:
    """Not over TCP: a port is picked, let go, and bound by the kernel later; meanwhile another
    process (a second grader beside this one) could take it, and the kernel died at start."""
    kernel = await fresh_kernel(512, 10**6)
    try:
        assert kernel._km is not None and kernel._km.transport == "ipc"
        assert Path(kernel._km.ip).parent == kernel.cwd
        assert (await kernel.run("6 * 7", 30)).data[0]["text/plain"] == "42"
    finally:
        await kernel.dispose()


WORK = "import time\nend = time.thread_time() + 1.5\nwhile time.thread_time() < end:\n    pass"


@pytest.mark.skipif(
    not (hasattr(os, "sched_setaffinity") and Path("/proc/self/schedstat").exists()),
    reason="needs Linux's per-thread scheduler statistics",
)
async def test_a_cell_is_not_charged_the_time_its_kernel_waited_for_a_cpu() -> None:
    """1.5 s of work on a CPU shared with a busy loop takes about 3 s: under a 2 s timeout it
    is on time, as it is on an idle machine. (It was interrupted: on a busy machine, a setup
    cell run again after a restart timed out and the rest of the submission scored nothing.)"""
    kernel = await fresh_kernel(512, 10**6)
    rival = await asyncio.create_subprocess_exec(sys.executable, "-c", "while True: pass")
    try:
        cpu = {min(os.sched_getaffinity(0))}
        assert kernel._km is not None
        os.sched_setaffinity(kernel._km.provisioner.pid, cpu)  # its main thread runs the cell
        os.sched_setaffinity(rival.pid, cpu)
        started, waited = time.perf_counter(), kernel._cpu_wait()
        run = await kernel.run(WORK, 2)
        if kernel._cpu_wait() - waited < 0.5:
            pytest.skip("the kernel hardly waited for its CPU: nothing was shown")
        assert run.status == "ok", (run, time.perf_counter() - started)
    finally:
        rival.kill()
        await rival.wait()
        await kernel.dispose()


async def will_not_start(*args: object) -> None:
    raise RuntimeError("Kernel died before replying to kernel_info")


async def test_a_kernel_that_will_not_start_still_gives_every_check_a_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(submission, "fresh_kernel", will_not_start)

    graded = await grade_submission(SOLUTIONS_DIR / f"{LESSON01}.ipynb", Options())

    assert (graded.points, graded.max_points) == (0, FULL01)
    assert {r.status for r in graded.results} == {"not-run"}
    assert "Kernel died before replying" in graded.notes[-1]


async def test_a_kernel_that_will_not_restart_still_gives_every_check_a_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def will_not_restart(kernel: SandboxKernel) -> None:
        await kernel.stop()
        await will_not_start()

    monkeypatch.setattr(SandboxKernel, "restart", will_not_restart)
    path = tmp_path / f"os-exit-{LESSON01}.ipynb"
    nbformat.write(notebook_with("import os\nos._exit(1)"), path)

    graded = await grade_submission(path, Options())

    assert (graded.points, graded.max_points) == (0, FULL01)
    assert {r.status for r in graded.results} == {"not-run"}
    assert "could not be brought back" in graded.notes[-1], graded.notes
    assert "would not start again: Kernel died" in graded.notes[-1], graded.notes
