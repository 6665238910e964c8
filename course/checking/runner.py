"""Run an exercise's checks against the student's objects, so that nothing can hang the kernel.

Why a worker thread per check, and not nest_asyncio: ``check("name")`` is called from a plain
cell, while the kernel's own event loop is running. nest_asyncio would run the check on that
same loop, in the kernel's only thread: a student's ``time.sleep(60)`` inside ``async def``,
or a ``while True`` loop, would then freeze the kernel with no timeout able to fire. In a
thread of its own, with its own event loop, a check can hang or spin as it likes: the kernel
waits at most ``timeout`` (plus a short grace) and moves on. A check that is still running
then is sent an exception into its thread, which stops a Python loop at once; a thread stuck
in a blocking call is left to finish on its own (it is a daemon: it never holds the kernel).
The cost is one thread and one event loop per check, well under a millisecond each.
"""

from __future__ import annotations

import asyncio
import ctypes
import inspect
import os
import sysconfig
import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course.checking.model import Check, Exercise, Result, Status
from course.checking.stubs import not_written_yet, unwritten

DEFAULT_TIMEOUT = 2.0
GRACE = 0.5  # extra wait for a check whose event loop is blocked, so its own timeout cannot fire
_COURSE_DIR = str(Path(__file__).resolve().parent.parent)
# Where the standard library and installed packages live: never the student's own code.
_LIBRARIES = tuple(
    {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
)

AWAITING = (
    "did not finish within {timeout:g} s: it is still waiting for something. Does your code await "
    "receive() for a message that never comes, or never send the last message?"
)
BLOCKED = (
    "did not finish within {timeout:g} s and blocked its event loop the whole time: look for a "
    "blocking call inside async def (time.sleep, a sync HTTP or database call, a busy loop); "
    "use await asyncio.sleep(...) or move the blocking work to a thread."
)

STILL_GOING = (
    "did not finish within {timeout:g} s, and went on after it was cancelled: does your code "
    "catch asyncio.CancelledError (a bare except:, or except BaseException) and carry on? "
    "Let CancelledError through."
)
BEAT = 0.05  # how often a check's event loop shows it is not blocked
SKIPPED = "not run: an earlier check of this exercise timed out; fix that first."


class CheckAbandoned(BaseException):
    """Raised into a check's thread when the kernel stops waiting for it."""


@dataclass
class _Outcome:
    error: BaseException | None = None
    timed_out: bool = False
    beat: float = 0.0  # time.monotonic() when the check's event loop last ran the heartbeat


def run_exercise(
    exercise: Exercise, namespace: Mapping[str, Any], *, timeout: float = DEFAULT_TIMEOUT
) -> list[Result]:
    """Every check of ``exercise``, in order, against the objects in ``namespace``.

    After a check times out, the rest are skipped: the same answer would most likely make
    each of them wait out its own timeout too, and the student already has the reason.
    """
    results: list[Result] = []
    for check in exercise:
        if any(r.status == "timeout" for r in results):
            results.append(check.result("not-run", SKIPPED))
        else:
            results.append(run_check(check, namespace, timeout=timeout))
    return results


def run_check(check: Check, namespace: Mapping[str, Any], *, timeout: float) -> Result:
    """One check, in a worker thread with its own event loop, under ``timeout`` seconds."""
    missing = [name for name in check.needs if name not in namespace]
    if missing:
        return check.result(
            "failed",
            f"`{missing[0]}` is not defined: run the exercise cell that defines it "
            "(Shift + Enter), then this check again.",
        )
    args = {name: namespace[name] for name in check.needs}
    outcome = _Outcome()
    worker = threading.Thread(
        target=_run, args=(check, args, timeout, outcome), name=f"check {check.name}", daemon=True
    )
    started, waited = time.perf_counter(), cpu_wait()
    worker.start()
    while worker.is_alive():  # the deadline moves by the time the process waited for a CPU
        due = started + timeout + GRACE + cpu_slack(waited, timeout)
        if time.perf_counter() >= due:
            break
        worker.join(min(BEAT, due - time.perf_counter()))
    seconds = time.perf_counter() - started
    if worker.is_alive():
        _abandon(worker)
        loop_alive = time.monotonic() - outcome.beat < GRACE / 2
        message = STILL_GOING if loop_alive else BLOCKED
        return check.result("timeout", message.format(timeout=timeout), seconds)
    if outcome.timed_out:
        hint = check.on_timeout or AWAITING.format(timeout=timeout)
        return check.result("timeout", hint, seconds)
    if outcome.error is None:
        return check.result("passed", "", seconds)
    status, message = explain(outcome.error)
    return check.result(status, message, seconds)


def _run(check: Check, args: dict[str, Any], timeout: float, outcome: _Outcome) -> None:
    try:
        if inspect.iscoroutinefunction(check.function):
            with asyncio.Runner() as runner:
                runner.get_loop().set_exception_handler(_quiet_if_abandoned)
                runner.run(_with_timeout(check, args, timeout, outcome))
        else:
            check.function(**args)
    except BaseException as error:  # everything is reported, nothing escapes
        outcome.error = error


async def _with_timeout(
    check: Check, args: dict[str, Any], seconds: float, outcome: _Outcome
) -> None:
    heartbeat: asyncio.Task[None] | None = None
    try:
        async with asyncio.timeout(seconds) as deadline:
            heartbeat = asyncio.create_task(_beat(outcome, deadline, seconds))
            await check.function(**args)
    except TimeoutError:
        # Ours only if our deadline expired; the student's own wait_for may raise one too.
        if not deadline.expired():
            raise
        outcome.timed_out = True
    finally:
        if heartbeat is not None:
            heartbeat.cancel()


async def _beat(outcome: _Outcome, deadline: asyncio.Timeout, seconds: float) -> None:
    """Tell the kernel this loop is running: a check that overruns without it was blocked.
    And move the check's deadline by the time the process has waited for a CPU since."""
    loop = asyncio.get_running_loop()
    start, waited = loop.time(), cpu_wait()
    while True:
        outcome.beat = time.monotonic()
        if not deadline.expired():  # once it has fired, this only shows the loop runs
            deadline.reschedule(start + seconds + cpu_slack(waited, seconds))
        await asyncio.sleep(BEAT)


def cpu_wait() -> float:
    """Seconds this process's threads have waited, runnable, for a CPU (Linux; else 0): time
    another program took, which a check is not charged. A thread that has ended is not in it."""
    total = 0
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return 0.0
    for task in tasks:
        try:
            with open(f"/proc/self/task/{task}/schedstat") as stats:
                total += int(stats.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1e9


def cpu_slack(since: float, timeout: float) -> float:
    """How far a deadline moves for the CPU wait since *since* (a ``cpu_wait()`` reading):
    all of it, up to ten more timeouts (a check on a machine that busy still ends, wrong or
    right)."""
    return min(max(0.0, cpu_wait() - since), 10 * timeout)


def _quiet_if_abandoned(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Drop "Task exception was never retrieved" for the tasks of a check we stopped waiting for."""
    if not isinstance(context.get("exception"), CheckAbandoned):
        loop.default_exception_handler(context)


def explain(error: BaseException) -> tuple[Status, str]:
    """A status and a message for what a check raised."""
    stub = unwritten(error)  # a stub's NotImplementedError, even when it caused another error
    if stub is not None:
        return "failed", not_written_yet(stub)
    if isinstance(error, AssertionError):
        return "failed", str(error) or "an assertion in the check failed"
    where = where_in_student_code(error)
    return "error", f"your code raised {type(error).__name__}: {error}{where}"


def where_in_student_code(error: BaseException) -> str:
    """The innermost frame of the student's own code: " (in greeting_app, line 4)"."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _COURSE_DIR not in f.filename]
    own = [f for f in frames if not f.filename.startswith(_LIBRARIES)]
    if not (own or frames):
        return ""
    frame = (own or frames)[-1]
    return f" (in {frame.name}, line {frame.lineno})"


def _abandon(worker: threading.Thread) -> None:
    """Raise CheckAbandoned in ``worker``: stops a Python loop, not a blocking call."""
    if worker.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(worker.ident), ctypes.py_object(CheckAbandoned)
        )
