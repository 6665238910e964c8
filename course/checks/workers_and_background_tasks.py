"""Lesson 10's exercise: a worker consumer that runs jobs and reports progress to a group.

Each check runs the student's ``JobWorker`` as ``manage.py runworker jobs`` would, on a
channel layer of its own, and reads what reached each reply group
(course/checks/_support/job_runs.py). A job's state is its own: two jobs run on one worker
instance, the second from a different start than the first.
"""

from __future__ import annotations

from typing import Any

from course.checking.model import Exercise, expect
from course.checks._support.job_runs import Message, Run, job, nothing_arrived, run_jobs

LESSON = "10-workers-and-background-tasks"

job_worker = Exercise("job-worker", LESSON)
EXERCISES = [job_worker]


def _done_once(run: Run, group: str) -> list[Message]:
    """The job.done reports to ``group``: Fail unless each job sent exactly one."""
    done = run.of(group, "job.done")
    ids = [str(m.get("job_id")) for m in done]
    for job_id in dict.fromkeys(ids):
        expect(
            ids.count(job_id) == 1,
            f"job {job_id!r} sent job.done {ids.count(job_id)} times, once for each number: "
            "job.done ends the job, so send it once, after the loop (outside the for, where "
            "the sum is complete), not inside it.",
        )
    return done


# ---- job-worker ------------------------------------------------------------------------------


@job_worker.check("a job on the channel 'jobs' ends with job.done and the sum, in the reply group")
async def reports_the_result(JobWorker: Any) -> None:
    run = await run_jobs(JobWorker, [job("job-1", [3, 4, 5])])
    reports = run.reports["reply.ada"]
    if not reports:
        raise nothing_arrived(run, "reply.ada")
    done = _done_once(run, "reply.ada")
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
        raise nothing_arrived(run, "reply.ada")
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
        raise nothing_arrived(run, "reply.ada")
    _done_once(run, "reply.ada")
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
    before = 0  # the sum of the job before, which a total kept on self carries over
    for message in jobs:
        group, job_id, result = message["reply_group"], message["job_id"], sum(message["numbers"])
        if not run.reports[group]:
            raise nothing_arrived(run, group)
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
        results = [m.get("result") for m in _done_once(run, group)]
        expect(
            not before or results != [result + before],
            f"job {job_id!r} ended with the result {result + before}: its own sum, {result}, "
            f"plus the {before} of the job before. The sum carries over from one job to the "
            "next: runworker handles every job with one instance, so a sum kept on self (or on "
            "the class) is never reset. Start each job's sum at 0, a local variable of job_run.",
        )
        expect(
            results == [result],
            f"job {job_id!r} had the numbers {message['numbers']} and ended with job.done "
            f"results {results}, not [{result}], their sum.",
        )
        before = result
