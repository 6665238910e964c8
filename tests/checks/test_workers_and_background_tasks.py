"""Lesson 10's checks on wrong JobWorkers: each one fails, and is told why.

Each wrong answer is the model (from the solutions notebook) with one realistic mistake, so
it fails for exactly that mistake. The solution's full marks and the released stub's zero
are tested in test_both_ways.py.
"""

import asyncio

import pytest
from channels import DEFAULT_CHANNEL_LAYER
from channels.consumer import AsyncConsumer
from channels.layers import channel_layers, get_channel_layer

from course.checks import grade
from course.checks.workers_and_background_tasks import job_worker
from tests.checks import wrong
from tests.checks.helpers import (
    SOLUTIONS_DIR,
    failing,
    messages,
    solution_namespace,
)
from tests.checks.wrong import WrongAnswer

NOTEBOOK = SOLUTIONS_DIR / "10-workers-and-background-tasks.ipynb"
EXERCISE = "job-worker"
CHECKS = [check.name for check in job_worker]
Model = solution_namespace(NOTEBOOK, "JobWorker")["JobWorker"]


# ---- what students write: graded in a kernel through check() and in batch (wrong.py) -------

CELL = """
from channels.consumer import AsyncConsumer


class JobWorker(AsyncConsumer):
    {attributes}
    async def {handler}(self, message):
        group, job_id, numbers = message["reply_group"], message["job_id"], message["numbers"]
{body}"""
PROGRESS = '{"type": "job.progress", "job_id": job_id, "done": done, "total": len(numbers)}'
DONE = '{"type": "job.done", "job_id": job_id, "result": result}'
LOOP = f"""
        result = 0
        for done, number in enumerate(numbers, start=1):
            result += number
            await self.channel_layer.group_send(group, {PROGRESS})
        await self.channel_layer.group_send(group, {DONE})
"""


def job_worker(name, says, body=LOOP, handler="job_run", attributes=""):
    """A WrongAnswer: the exercise's cell with ``body`` as the handler the student writes."""
    source = CELL.format(attributes=attributes, handler=handler, body=body)
    return WrongAnswer(EXERCISE, name, source, "JobWorker", says)


WRONG_ANSWERS = [
    job_worker(
        "done-inside-the-loop",
        "once, after the loop",
        f"""
        result = 0
        for done, number in enumerate(numbers, start=1):
            result += number
            await self.channel_layer.group_send(group, {PROGRESS})
            await self.channel_layer.group_send(group, {DONE})
""",
    ),
    job_worker(
        "sum-kept-on-self",
        "The sum carries over from one job to the next",
        f"""
        for done, number in enumerate(numbers, start=1):
            self.result += number
            await self.channel_layer.group_send(group, {PROGRESS})
        await self.channel_layer.group_send(group, {DONE.replace("result}", "self.result}")})
""",
        attributes="result = 0  # the sum so far\n",
    ),
    job_worker(
        "progress-not-awaited",
        "called self.channel_layer.group_send without await",
        LOOP.replace("await self.channel_layer.group_send", "self.channel_layer.group_send", 1),
    ),
    job_worker(
        "reports-to-the-jobs-channel",
        "the channel 'jobs'",
        LOOP.replace("group_send(group,", 'send("jobs",'),
    ),
    job_worker("handler-named-after-the-job", "job_run", handler="run_job"),
    job_worker(
        "done-counts-from-zero",
        "counting from 1",
        LOOP.replace(", start=1)", ")"),
    ),
    job_worker(
        "total-is-the-running-sum",
        "len(message['numbers'])",
        LOOP.replace('"total": len(numbers)', '"total": result'),
    ),
]
test_wrong_answers_lose_points_in_a_kernel, test_wrong_answers_lose_points_in_batch = (
    wrong.tests_for(WRONG_ANSWERS)
)

# A consumer closes stale database connections in a worker thread around every handler; for
# pytest-django that is database access, refused without this mark.
pytestmark = pytest.mark.django_db(transaction=True)


def graded(worker):
    return grade(EXERCISE, {"JobWorker": worker})


# ---- the model answer ----------------------------------------------------------------------


def test_a_check_puts_the_kernels_layer_back_and_ignores_its_event_loop():
    kernel_layer = get_channel_layer()

    async def use_it_on_another_loop():  # as the kernel's loop does before check() runs
        inbox = await kernel_layer.new_channel()
        await kernel_layer.send(inbox, {"type": "note"})

    asyncio.run(use_it_on_another_loop())

    assert graded(Model).score.full
    assert get_channel_layer() is kernel_layer


def test_a_layer_never_built_before_the_check_is_not_left_behind():
    saved = channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
    try:
        assert graded(Model).score.full
        assert DEFAULT_CHANNEL_LAYER not in channel_layers.backends
    finally:
        if saved is not None:
            channel_layers.set(DEFAULT_CHANNEL_LAYER, saved)


# ---- wrong answers: the model with one mistake ---------------------------------------------


async def report(worker, group, message):
    await worker.channel_layer.group_send(group, message)


class NoProgress(Model):
    async def job_run(self, message):
        result = sum(message["numbers"])
        done = {"type": "job.done", "job_id": message["job_id"], "result": result}
        await report(self, message["reply_group"], done)


class ProgressAfterDone(Model):
    """Sends the result first, then the progress it skipped."""

    async def job_run(self, message):
        group, job_id, numbers = message["reply_group"], message["job_id"], message["numbers"]
        await report(self, group, {"type": "job.done", "job_id": job_id, "result": sum(numbers)})
        for done in range(1, len(numbers) + 1):
            progress = {"type": "job.progress", "job_id": job_id, "done": done}
            await report(self, group, progress | {"total": len(numbers)})


class TotalIsTheSumSoFar(Model):
    """Puts the running sum in "total" instead of the number of numbers."""

    async def job_run(self, message):
        group, job_id = message["reply_group"], message["job_id"]
        result = 0
        for done, number in enumerate(message["numbers"], start=1):
            result += number
            progress = {"type": "job.progress", "job_id": job_id, "done": done, "total": result}
            await report(self, group, progress)
        await report(self, group, {"type": "job.done", "job_id": job_id, "result": result})


class CountsFromZero(Model):
    async def job_run(self, message):
        group, job_id, numbers = message["reply_group"], message["job_id"], message["numbers"]
        for done, _ in enumerate(numbers):
            progress = {"type": "job.progress", "job_id": job_id, "done": done}
            await report(self, group, progress | {"total": len(numbers)})
        await report(self, group, {"type": "job.done", "job_id": job_id, "result": sum(numbers)})


class ReportsToTheJobChannel(Model):
    """Sends every report back to the channel "jobs", where the worker itself listens."""

    async def job_run(self, message):
        job_id, numbers = message["job_id"], message["numbers"]
        for done in range(1, len(numbers) + 1):
            progress = {"type": "job.progress", "job_id": job_id, "done": done}
            await self.channel_layer.send("jobs", progress | {"total": len(numbers)})
        done = {"type": "job.done", "job_id": job_id, "result": sum(numbers)}
        await self.channel_layer.send("jobs", done)


class SendsToTheGroupNameAsAChannel(Model):
    """channel_layer.send(reply_group, ...): a channel named like the group, read by nobody."""

    async def job_run(self, message):
        done = {"type": "job.done", "job_id": message["job_id"], "result": sum(message["numbers"])}
        await self.channel_layer.send(message["reply_group"], done)


class HandlerNameMismatch(AsyncConsumer):
    """The handler is named after the job, not after the message type "job.run"."""

    async def run_job(self, message):
        await Model.job_run(self, message)


class KeepsTheSumAcrossJobs(Model):
    """Keeps the running sum on the instance: runworker reuses one instance for every job."""

    sum_so_far = 0

    async def job_run(self, message):
        group, job_id, numbers = message["reply_group"], message["job_id"], message["numbers"]
        for done, number in enumerate(numbers, start=1):
            self.sum_so_far += number
            progress = {"type": "job.progress", "job_id": job_id, "done": done}
            await report(self, group, progress | {"total": len(numbers)})
        done = {"type": "job.done", "job_id": job_id, "result": self.sum_so_far}
        await report(self, group, done)


class DoneInTheLoop(Model):
    """Sends job.done after each number, with the sum so far."""

    async def job_run(self, message):
        group, job_id, numbers = message["reply_group"], message["job_id"], message["numbers"]
        result = 0
        for done, number in enumerate(numbers, start=1):
            result += number
            progress = {"type": "job.progress", "job_id": job_id, "done": done}
            await report(self, group, progress | {"total": len(numbers)})
            await report(self, group, {"type": "job.done", "job_id": job_id, "result": result})


class ProgressNotAwaited(Model):
    """Calls group_send for each progress report without await: they are never sent."""

    async def job_run(self, message):
        group, job_id, numbers = message["reply_group"], message["job_id"], message["numbers"]
        for done in range(1, len(numbers) + 1):
            progress = {"type": "job.progress", "job_id": job_id, "done": done}
            self.channel_layer.group_send(group, progress | {"total": len(numbers)})
        await report(self, group, {"type": "job.done", "job_id": job_id, "result": sum(numbers)})


class OneReplyGroupForAll(Model):
    async def job_run(self, message):
        await Model.job_run(self, message | {"reply_group": "reply.ada"})


class WrongJobId(Model):
    async def job_run(self, message):
        await Model.job_run(self, message | {"job_id": "job"})


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (NoProgress, {"reports_progress": "without a job.progress"}),
        (ProgressAfterDone, {"progress_then_done": "send it once, last, after every job.progress"}),
        (TotalIsTheSumSoFar, {"reports_progress": "gave total [10, 30, 60]"}),
        (CountsFromZero, {"reports_progress": "said (done, total) [(0, 3), (1, 3), (2, 3)]"}),
        (ReportsToTheJobChannel, {c: "went to the channel 'jobs'" for c in CHECKS}),
        (SendsToTheGroupNameAsAChannel, {c: "A group is not a channel" for c in CHECKS}),
        (HandlerNameMismatch, {c: "No handler for message type job.run" for c in CHECKS}),
        (KeepsTheSumAcrossJobs, {"jobs_are_apart": "The sum carries over from one job"}),
        (
            DoneInTheLoop,
            {c: "send it once, after the loop" for c in CHECKS if c != "reports_progress"},
        ),
        (ProgressNotAwaited, {c: "group_send without await" for c in CHECKS}),
        (OneReplyGroupForAll, {"jobs_are_apart": "heard about the jobs ['ada-1', 'grace-1']"}),
        (
            WrongJobId,
            {
                "reports_the_result": "job.done carries job_id 'job', but the job was 'job-1'",
                "reports_progress": "job.progress carries job_id {'job'}",
                "jobs_are_apart": "carry the job_id ['job'], not 'ada-1'",
            },
        ),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_a_wrong_job_worker_is_told_why(answer, expected):
    report = graded(answer)

    wrong = failing(report)
    assert set(wrong) == set(expected), messages(report)
    assert {r.status for r in report.results if not r.passed} == {"failed"}, messages(report)
    for check, fragment in expected.items():
        assert fragment in wrong[check], wrong[check]


def test_a_handler_name_mismatch_names_the_method_to_write():
    message = failing(graded(HandlerNameMismatch))["reports_the_result"]

    assert "'job.run' calls job_run(self, message)" in message


def test_a_worker_that_is_not_a_consumer_class_is_told_to_subclass():
    async def JobWorker(scope, receive, send):
        return None

    report = graded(JobWorker)

    assert report.score.points == 0
    assert "not a consumer class" in report.results[0].message


def test_a_crash_of_the_students_own_making_says_where():
    class ReadsAMissingKey(Model):
        async def job_run(self, message):
            message["values"]

    report = graded(ReadsAMissingKey)

    assert report.score.points == 0
    assert {r.status for r in report.results} == {"error"}
    assert "your code raised KeyError: 'values' (in job_run" in report.results[0].message
