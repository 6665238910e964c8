"""What lesson 10's checks share: a student's JobWorker run as ``manage.py runworker jobs``
would run it, and what reached each reply group.

``run_jobs`` routes the channel ``jobs`` to the worker with a ``ChannelNameRouter`` and feeds
it ``job.run`` messages through an ApplicationCommunicator with the scope runworker builds:
``{"type": "channel", "channel": "jobs"}``. A fresh InMemoryChannelLayer is the default one
for the length of the run (the kernel's layer holds asyncio queues bound to the kernel's event
loop; a check runs on a loop of its own), and a channel of the check's own joins each reply
group to collect the reports. The layer's sends are recorded, so that a report sent without
``await`` is named as such (course/checks/_support/awaits.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from course.checking.model import Fail, expect
from course.checking.runner import cpu_slack, cpu_wait
from course.checks._support.awaits import record_calls, without_await
from course.checks._support.rooms import as_default_layer, no_handler

CHANNEL = "jobs"
SCOPE = {"type": "channel", "channel": CHANNEL}
DEADLINE = 1.2  # seconds for every job to report job.done, CPU waits aside
Message = dict[str, Any]


def job(job_id: str, numbers: list[int], reply_group: str = "reply.ada") -> Message:
    return {"type": "job.run", "job_id": job_id, "numbers": numbers, "reply_group": reply_group}


@dataclass
class Run:
    """What a check saw: reports per reply group, and messages left where nobody reads."""

    reports: dict[str, list[Message]] = field(default_factory=dict)
    astray: dict[str, list[Message]] = field(default_factory=dict)

    def of(self, group: str, kind: str) -> list[Message]:
        return [m for m in self.reports[group] if m.get("type") == kind]


async def run_jobs(JobWorker: Any, jobs: list[Message]) -> Run:
    """Send *jobs* to JobWorker as runworker would; collect what reaches the reply groups."""
    from channels.consumer import AsyncConsumer
    from channels.layers import InMemoryChannelLayer
    from channels.routing import ChannelNameRouter
    from channels.testing import ApplicationCommunicator

    expect(
        isinstance(JobWorker, type) and issubclass(JobWorker, AsyncConsumer),
        f"JobWorker is {JobWorker!r}, not a consumer class: write "
        "`class JobWorker(AsyncConsumer):` (from channels.consumer import AsyncConsumer).",
    )
    layer = InMemoryChannelLayer()
    calls = record_calls(layer)  # to tell a report never sent from one sent without await
    # The consumer looks its layer up when its task first runs, inside the block below.
    app, asking = ChannelNameRouter({CHANNEL: JobWorker.as_asgi()}), [False]

    async def watched(scope: Any, receive: Any, send: Any) -> None:
        async def asked() -> Any:  # the worker awaits its next message: it has done the last
            asking[0] = True
            try:
                return await receive()
            finally:
                asking[0] = False

        await app(scope, asked, send)

    worker = ApplicationCommunicator(watched, SCOPE)
    worker.asking = asking
    try:
        with as_default_layer(layer):
            inboxes: dict[str, str] = {}
            for message in jobs:
                group = message["reply_group"]
                if group not in inboxes:
                    inboxes[group] = await layer.new_channel()
                    await layer.group_add(group, inboxes[group])
            for message in jobs:
                await worker.send_input(dict(message))
            run = Run({group: [] for group in inboxes})
            await _collect(layer, inboxes, worker, run, len(jobs))
            _explain_crash(worker)
            dropped = calls.unawaited()
            if dropped:
                raise Fail(without_await(dropped, "job_run", "self.channel_layer"))
            listening = set(inboxes.values())
            run.astray = {
                name: [message for _, message in queue._queue]
                for name, queue in layer.channels.items()
                if name not in listening and queue.qsize()
            }
            return run
    finally:  # the kernel's layer is back first: nothing in _stop() may stop that
        await _stop(worker)


async def _collect(layer: Any, inboxes: dict[str, str], worker: Any, run: Run, jobs: int) -> None:
    """Read every inbox until the worker has handled every job and waits for more with all
    jobs done, or it crashed, or DEADLINE passed (not counting the time this process waited
    for a CPU). Nothing is left to come then, with no quiet spell to guess at."""
    loop = asyncio.get_running_loop()
    start, waited = loop.time(), cpu_wait()
    while not worker.future.done():
        idle = worker.asking[0] and worker.input_queue.empty()
        _drain(layer, inboxes, run)
        done = sum(m.get("type") == "job.done" for ms in run.reports.values() for m in ms)
        if idle and done >= jobs:
            break
        slack = cpu_slack(waited, DEADLINE)
        if loop.time() > start + DEADLINE + slack:
            break
        await asyncio.sleep(0.005)
    _drain(layer, inboxes, run)


def _drain(layer: Any, inboxes: dict[str, str], run: Run) -> None:
    """Move what waits in each inbox into ``run.reports``."""
    for group, inbox in inboxes.items():
        queue = layer.channels.get(inbox)
        while queue is not None and queue.qsize():
            run.reports[group].append(queue.get_nowait()[1])


def _explain_crash(worker: Any) -> None:
    """Raise what ended the worker, explained where the reason is a classic one."""
    future = worker.future
    if not future.done() or future.cancelled() or future.exception() is None:
        return
    error = future.exception()
    advice = (
        "Name the handler job_run, and send your reports to the reply group, not to a channel "
        "the worker reads."
    )
    raise no_handler(error, "the worker", "message", "message", advice) or error


async def _stop(worker: Any) -> None:
    future = worker._future
    if future is None:
        return
    if not future.done():
        future.cancel()
        await asyncio.wait([future], timeout=0.2)
    if future.done() and not future.cancelled():
        future.exception()  # read it, so asyncio does not log "never retrieved"


def nothing_arrived(run: Run, group: str) -> Fail:
    """Why the reply group heard nothing: reports sent somewhere else, or never sent."""
    if CHANNEL in run.astray:
        kinds = sorted({m.get("type", "?") for m in run.astray[CHANNEL]})
        return Fail(
            f"nothing reached the reply group {group!r}; {len(run.astray[CHANNEL])} "
            f"message(s) of type {kinds} went to the channel {CHANNEL!r}, the one the worker "
            "itself listens on (under runworker it would read its own report and crash). "
            "group_send the reports to message['reply_group']."
        )
    if group in run.astray:
        return Fail(
            f"nothing reached the reply group {group!r}: the reports went to a channel "
            f"named {group!r}, which nobody reads. A group is not a channel: use "
            "self.channel_layer.group_send(message['reply_group'], ...), not send(...)."
        )
    return Fail(
        f"nothing reached the reply group {group!r} within {DEADLINE:g} s. In job_run, "
        "await self.channel_layer.group_send(message['reply_group'], {...}) for each report."
    )


__all__ = ["CHANNEL", "DEADLINE", "Message", "Run", "job", "nothing_arrived", "run_jobs"]
