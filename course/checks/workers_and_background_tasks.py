"""Lesson 09's exercise: a worker consumer that runs jobs and reports progress to a group.

Each check routes the channel ``jobs`` to the student's ``JobWorker`` with a
``ChannelNameRouter`` and feeds it ``job.run`` messages through an ApplicationCommunicator
with the scope ``manage.py runworker jobs`` builds: ``{"type": "channel", "channel": "jobs"}``.
A fresh InMemoryChannelLayer is the default one for the length of the check (the kernel's
layer holds asyncio queues bound to the kernel's event loop; a check runs on a loop of its
own), and a channel of the check's own joins each reply group to collect the reports.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from course.checking.model import Exercise, Fail, expect
from course.checks._support.rooms import as_default_layer

LESSON = "09-workers-and-background-tasks"

job_worker = Exercise("job-worker", LESSON)
EXERCISES = [job_worker]

CHANNEL = "jobs"
SCOPE = {"type": "channel", "channel": CHANNEL}
DEADLINE = 1.2  # seconds for every job to report job.done
QUIET = 0.1  # then this long without a message: nothing more is coming
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
    # The consumer looks its layer up when its task first runs, inside the block below.
    worker = ApplicationCommunicator(ChannelNameRouter({CHANNEL: JobWorker.as_asgi()}), SCOPE)
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
    """Read every inbox until all jobs are done and QUIET passes, the deadline, or a crash."""
    deadline = time.monotonic() + DEADLINE
    quiet_since = time.monotonic()
    while time.monotonic() < deadline and not worker.future.done():
        done = sum(m.get("type") == "job.done" for ms in run.reports.values() for m in ms)
        if done >= jobs and time.monotonic() - quiet_since > QUIET:
            return
        got = False
        for group, inbox in inboxes.items():
            if inbox in layer.channels and layer.channels[inbox].qsize():
                run.reports[group].append(await layer.receive(inbox))
                got = True
        if got:
            quiet_since = time.monotonic()
        else:
            await asyncio.sleep(0.01)


def _explain_crash(worker: Any) -> None:
    """Raise what ended the worker, explained where the reason is a classic one."""
    future = worker.future
    if not future.done() or future.cancelled() or future.exception() is None:
        return
    error = future.exception()
    if isinstance(error, ValueError) and "No handler for message type" in str(error):
        kind = str(error).rsplit(" ", 1)[-1]
        raise Fail(
            f"the worker crashed with ValueError: {error}. A message's type names the method "
            f"that handles it, dots turned into underscores: {kind!r} calls "
            f"{kind.replace('.', '_')}(self, message). Name the handler job_run, and send "
            "your reports to the reply group, not to a channel the worker reads."
        )
    raise error


async def _stop(worker: Any) -> None:
    future = worker._future
    if future is None:
        return
    if not future.done():
        future.cancel()
        await asyncio.wait([future], timeout=0.2)
    if future.done() and not future.cancelled():
        future.exception()  # read it, so asyncio does not log "never retrieved"


def _nothing_arrived(run: Run, group: str) -> Fail:
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


# ---- job-worker ------------------------------------------------------------------------------


@job_worker.check("a job on the channel 'jobs' ends with job.done and the sum, in the reply group")
async def reports_the_result(JobWorker: Any) -> None:
    run = await run_jobs(JobWorker, [job("job-1", [3, 4, 5])])
    reports = run.reports["reply.ada"]
    if not reports:
        raise _nothing_arrived(run, "reply.ada")
    done = run.of("reply.ada", "job.done")
    expect(
        done,
        f"the reply group received {reports}, but no job.done. When every number is "
        "handled, send {'type': 'job.done', 'job_id': ..., 'result': <the sum>}.",
    )
    expect(
        done[-1].get("job_id") == "job-1",
        f"job.done carries job_id {done[-1].get('job_id')!r}, but the job was 'job-1': "
        "copy message['job_id'] into every report.",
    )
    expect(
        done[-1].get("result") == 12,
        f"the job's numbers were [3, 4, 5]; job.done says result {done[-1].get('result')!r}, "
        "not 12, their sum.",
    )


@job_worker.check("one job.progress per number: done 1, 2, 3 of total 3")
async def reports_progress(JobWorker: Any) -> None:
    run = await run_jobs(JobWorker, [job("job-2", [10, 20, 30])])
    if not run.reports["reply.ada"]:
        raise _nothing_arrived(run, "reply.ada")
    progress = run.of("reply.ada", "job.progress")
    expect(
        progress,
        f"the reply group received {run.reports['reply.ada']}, without a job.progress. "
        "After each number, send {'type': 'job.progress', 'job_id': ..., 'done': <numbers "
        "handled so far>, 'total': <how many numbers the job has>}.",
    )
    seen = [(m.get("done"), m.get("total")) for m in progress]
    totals = [total for _, total in seen]
    expect(
        totals == [3] * len(progress),
        f"the job had 3 numbers; its job.progress reports gave total {totals}. total is "
        "len(message['numbers']), the same in every report.",
    )
    expect(
        seen == [(1, 3), (2, 3), (3, 3)],
        f"the job had 3 numbers; its job.progress reports said (done, total) {seen}, not "
        "[(1, 3), (2, 3), (3, 3)]: one report per number, done counting from 1.",
    )
    ids = {m.get("job_id") for m in progress}
    expect(
        ids == {"job-2"},
        f"job.progress carries job_id {ids}, but the job was 'job-2': copy message['job_id'] "
        "into every report.",
    )


@job_worker.check("every job.progress comes before job.done, and nothing after it")
async def progress_then_done(JobWorker: Any) -> None:
    run = await run_jobs(JobWorker, [job("job-3", [1, 2])])
    reports = run.reports["reply.ada"]
    if not reports:
        raise _nothing_arrived(run, "reply.ada")
    kinds = [m.get("type") for m in reports]
    expect(
        "job.done" in kinds and kinds.index("job.done") == len(kinds) - 1,
        f"the reply group received, in this order: {kinds}. job.done ends the job: send it "
        "once, last, after every job.progress (a browser stops listening when it arrives).",
    )


@job_worker.check("two jobs, two reply groups: each hears only its own job")
async def jobs_are_apart(JobWorker: Any) -> None:
    jobs = [job("ada-1", [1, 2], "reply.ada"), job("grace-1", [5], "reply.grace")]
    run = await run_jobs(JobWorker, jobs)
    for group, job_id, result in (("reply.ada", "ada-1", 3), ("reply.grace", "grace-1", 5)):
        if not run.reports[group]:
            raise _nothing_arrived(run, group)
        ids = sorted({str(m.get("job_id")) for m in run.reports[group]})
        expect(
            job_id in ids,
            f"the reports to {group!r} carry the job_id {ids}, not {job_id!r}: copy "
            "message['job_id'] into every report.",
        )
        expect(
            ids == [job_id],
            f"the reply group {group!r} heard about the jobs {ids}, not just {job_id!r}: send "
            "each job's reports to that job's own message['reply_group'].",
        )
        results = [m.get("result") for m in run.of(group, "job.done")]
        expect(
            results == [result],
            f"job {job_id!r} ended with job.done results {results}, not [{result}]. Does a "
            "total carry over from the job before? Start each job's sum at 0 in job_run.",
        )
