"""course.checking.runner and friends: the engine behind ``check("name")`` in a notebook cell.

Every exercise here is a small fake with checks written in this file, graded against an
explicit namespace, under short timeouts so that the hung, blocked and spinning answers
cost well under a second each.
"""

import asyncio
import gc
import json
import logging
import threading
import time

import pytest

from course.checking import Fail, Report, Result, Score, expect
from course.checking import runner as runner_module
from course.checking.model import Exercise
from course.checking.report import SAME
from course.checking.runner import (
    AWAITING,
    BLOCKED,
    GRACE,
    SKIPPED,
    STILL_GOING,
    run_check,
    run_exercise,
)
from course.checking.stubs import Stub
from course.checks import EXERCISES, check, find_exercise, grade

TIMEOUT = 0.3


def at_most(timeout: float, grace: float = 0.0) -> float:
    """The latest a timed-out check may end: its deadline moves by the time the process waited
    for a CPU, up to ten timeouts (runner.cpu_slack), as with a second test suite beside;
    then a second to spare. Beyond that it hung."""
    return timeout + grace + 10 * timeout + 1.0


def one_check(function, *, points=1, on_timeout=""):
    """An exercise with the single check ``function``, and that check."""
    exercise = Exercise("demo", "00-demo")
    exercise.check("the demo check", points=points, on_timeout=on_timeout)(function)
    return exercise, exercise.checks[0]


def run(function, namespace, *, timeout=TIMEOUT, **options):
    _, the_check = one_check(function, **options)
    return run_check(the_check, namespace, timeout=timeout)


def wait_until_gone(thread_name, within=1.0):
    """True once no thread called ``thread_name`` is left (False after ``within`` seconds)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(t.name == thread_name for t in threading.enumerate()):
            return True
        time.sleep(0.01)
    return False


# ---- students' answers, defined here so that the reported frame and line are known ----------


def answer_with_a_key_error(scope):
    headers = {}
    return headers[scope]  # KeyError, reported at this line


async def answer_that_waits_forever():
    await asyncio.Event().wait()


async def answer_that_sleeps():
    time.sleep(3)  # noqa: ASYNC251 - the mistake under test


async def answer_that_spins():
    while True:
        pass


def answer_that_parses(text):
    return json.loads(text)  # JSONDecodeError, raised deep inside the json module


async def answer_that_swallows_the_cancellation():
    try:
        await asyncio.Event().wait()
    except BaseException:  # a bare `except:` does the same
        await asyncio.Event().wait()


async def answer_with_its_own_timeout():
    await asyncio.wait_for(asyncio.Event().wait(), 0.01)


# ---- passed --------------------------------------------------------------------------------


def test_a_passing_sync_check():
    def says_hello(greeting):
        expect(greeting == "hello", "say hello")

    result = run(says_hello, {"greeting": "hello"}, points=3)

    assert isinstance(result, Result)
    assert result.status == "passed" and result.passed
    assert (result.points, result.max_points) == (3, 3)
    assert result.exercise == "demo"
    assert result.check == "says_hello"
    assert result.title == "the demo check"
    assert result.message == ""
    assert 0 < result.seconds < 1


def test_a_passing_async_check():
    async def awaits_the_answer(answer):
        assert await answer() == 42, "the answer is 42"

    async def answer():
        await asyncio.sleep(0)
        return 42

    result = run(awaits_the_answer, {"answer": answer, "unrelated": object()}, points=2)

    assert result.status == "passed"
    assert (result.points, result.max_points) == (2, 2)
    assert result.check == "awaits_the_answer"


def test_a_result_survives_a_round_trip_through_a_dict():
    result = run(lambda: None, {})
    assert result.status == "passed"
    assert Result.from_dict(result.as_dict()) == Result(**{**result.as_dict()})
    assert result.as_dict()["seconds"] == round(result.seconds, 4)


# ---- failed --------------------------------------------------------------------------------


def test_fail_is_reported_with_exactly_its_message():
    def is_positive(number):
        raise Fail("the number must be positive, not -1.")

    result = run(is_positive, {"number": -1}, points=2)

    assert result.status == "failed" and not result.passed
    assert (result.points, result.max_points) == (0, 2)
    assert result.message == "the number must be positive, not -1."


def plain(source, name):
    """Function ``name`` from ``source``, compiled as-is: pytest does not rewrite its asserts."""
    namespace = {}
    exec(compile(source, "<check>", "exec"), namespace)
    return namespace[name]


def test_a_plain_assert_is_reported_with_exactly_its_message():
    is_even = plain(
        "async def is_even(number):\n"
        "    assert number % 2 == 0, '3 is odd: expected an even number.'\n",
        "is_even",
    )

    result = run(is_even, {"number": 3})

    assert result.status == "failed"
    assert result.message == "3 is odd: expected an even number."


def test_an_assert_without_a_message_still_says_something():
    is_true = plain("def is_true(flag):\n    assert flag\n", "is_true")

    result = run(is_true, {"flag": False})

    assert result.status == "failed"
    assert result.message == "an assertion in the check failed"


GREETING = Stub("greeting_app(scope, receive, send)", "greeting-app").message()


def test_a_released_stub_is_not_written_yet_and_says_what_to_write_and_where_hints_are():
    def stub():
        raise NotImplementedError(GREETING)

    def calls_it(answer):
        answer()

    result = run(calls_it, {"answer": stub})

    assert result.status == "failed"
    assert result.points == 0
    assert result.message == (
        "not written yet: write greeting_app(scope, receive, send) where its cell says "
        '`# YOUR CODE HERE`, run that cell, then this one again. Stuck? Run hint("greeting-app").'
    )


def test_a_bare_not_implemented_error_is_not_written_yet_too():
    def stub():
        raise NotImplementedError

    result = run(lambda answer: answer(), {"answer": stub})

    assert result.status == "failed"
    assert result.message.startswith("not written yet: replace `raise NotImplementedError`")
    assert result.message.endswith("your code.")


def test_an_error_a_stub_caused_is_not_written_yet():
    """A stub that dies in a task (a consumer, a worker) shows up as the error it caused."""

    def stub():
        raise NotImplementedError(Stub("JobWorker.job_run(message)", "job-worker").message())

    def waits_for_it(answer):
        try:
            answer()
        except NotImplementedError as error:
            raise TimeoutError("nothing came") from error

    def in_a_group(answer):
        try:
            answer()
        except NotImplementedError as error:
            raise ExceptionGroup("tasks", [ValueError("other"), error]) from None

    for caller in (waits_for_it, in_a_group):
        result = run(caller, {"answer": stub})
        assert result.status == "failed", result.message
        assert result.message.startswith("not written yet: write JobWorker.job_run(message)")
        assert 'hint("job-worker")' in result.message


def test_a_name_the_check_needs_is_missing():
    def reads_it(present, greeting_app):
        raise AssertionError("never run")

    result = run(reads_it, {"present": 1})

    assert result.status == "failed"
    assert "`greeting_app`" in result.message
    assert "run the exercise cell" in result.message
    assert result.seconds == 0.0


# ---- error ---------------------------------------------------------------------------------


def test_an_exception_in_the_students_code_is_an_error_that_says_where():
    def looks_up(answer):
        answer("content-type")

    result = run(looks_up, {"answer": answer_with_a_key_error})

    line = answer_with_a_key_error.__code__.co_firstlineno + 2
    assert result.status == "error"
    assert result.points == 0
    assert "KeyError" in result.message
    assert "'content-type'" in result.message
    assert result.message.endswith(f"(in answer_with_a_key_error, line {line})")


def test_an_error_inside_a_library_call_points_at_the_students_line():
    def parses(answer):
        answer("not json")

    result = run(parses, {"answer": answer_that_parses})

    line = answer_that_parses.__code__.co_firstlineno + 1
    assert result.status == "error"
    assert "JSONDecodeError" in result.message
    assert result.message.endswith(f"(in answer_that_parses, line {line})")


def test_the_students_own_timeout_error_is_theirs_not_ours():
    async def awaits_it(answer):
        await answer()

    result = run(awaits_it, {"answer": answer_with_its_own_timeout}, timeout=0.5)

    assert result.status == "error"  # not "timeout": theirs fired before the runner's 0.5 s
    assert "TimeoutError" in result.message
    assert "did not finish" not in result.message


# ---- timeout -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on_timeout", "expected"),
    [
        ("", AWAITING.format(timeout=TIMEOUT)),
        ("your receive() never answered.", "your receive() never answered."),
    ],
    ids=["default-text", "the-checks-own-text"],
)
def test_a_hung_await_times_out(on_timeout, expected):
    async def awaits_answer(answer):
        await answer()

    started = time.perf_counter()
    result = run(
        awaits_answer, {"answer": answer_that_waits_forever}, on_timeout=on_timeout, points=2
    )
    elapsed = time.perf_counter() - started

    assert result.status == "timeout"
    assert (result.points, result.max_points) == (0, 2)
    assert result.message == expected
    assert result.message.startswith("did not finish within 0.3 s") or on_timeout
    assert TIMEOUT <= elapsed < at_most(TIMEOUT)  # it fired; no hang


def test_a_blocking_sleep_in_async_def_times_out_as_blocked():
    async def awaits_sleeper(answer):
        await answer()

    timeout = 0.2
    started = time.perf_counter()
    result = run(awaits_sleeper, {"answer": answer_that_sleeps}, timeout=timeout)
    elapsed = time.perf_counter() - started

    assert result.status == "timeout"
    assert result.message == BLOCKED.format(timeout=timeout)
    assert "time.sleep" in result.message
    assert timeout + GRACE <= elapsed < at_most(timeout, GRACE)


def test_a_busy_loop_times_out_and_its_thread_is_stopped():
    names = []

    async def awaits_spinner(answer):
        names.append(threading.current_thread().name)
        await answer()

    timeout = 0.2
    started = time.perf_counter()
    result = run(awaits_spinner, {"answer": answer_that_spins}, timeout=timeout)

    assert time.perf_counter() - started < at_most(timeout, GRACE)
    assert result.status == "timeout"
    assert result.message == BLOCKED.format(timeout=timeout)
    # CheckAbandoned, raised into the worker, ends the loop: the thread does not spin on.
    assert names == ["check awaits_spinner"]
    assert wait_until_gone("check awaits_spinner", within=1.0)


def test_an_answer_that_swallows_the_cancellation_is_not_called_blocking():
    async def awaits_swallower(answer):
        await answer()

    timeout = 0.2
    result = run(
        awaits_swallower, {"answer": answer_that_swallows_the_cancellation}, timeout=timeout
    )

    assert result.status == "timeout"
    assert result.message == STILL_GOING.format(timeout=timeout)


def test_after_a_timeout_the_later_checks_are_not_run():
    ran: list[str] = []
    exercise = Exercise("demo", "00-demo")

    @exercise.check("first")
    def first(answer):
        ran.append("first")

    @exercise.check("hangs", points=2)
    async def hangs(answer):
        ran.append("hangs")
        await answer()

    @exercise.check("third", points=3)
    def third(answer):
        ran.append("third")

    @exercise.check("fourth")
    async def fourth(answer):
        ran.append("fourth")

    results = run_exercise(exercise, {"answer": answer_that_waits_forever}, timeout=TIMEOUT)

    assert [r.status for r in results] == ["passed", "timeout", "not-run", "not-run"]
    assert ran == ["first", "hangs"]
    assert [r.message for r in results[2:]] == [SKIPPED, SKIPPED]
    assert [(r.points, r.max_points) for r in results] == [(1, 1), (0, 2), (0, 3), (0, 1)]
    assert [r.check for r in results] == ["first", "hangs", "third", "fourth"]


def test_failures_do_not_skip_the_later_checks():
    exercise = Exercise("demo", "00-demo")
    exercise.check("fails")(lambda: expect(False, "no"))
    exercise.check("errs")(lambda: 1 / 0)
    exercise.check("passes")(lambda: None)

    results = run_exercise(exercise, {}, timeout=TIMEOUT)

    assert [r.status for r in results] == ["failed", "error", "passed"]


# ---- an abandoned check leaves no noise behind ---------------------------------------------


async def answer_that_spins_in_a_task():
    async def spin():
        while True:
            pass

    asyncio.get_running_loop().create_task(spin())  # its CheckAbandoned is never retrieved
    await asyncio.sleep(5)


@pytest.mark.parametrize("quiet", [True, False], ids=["quiet", "control-without-the-handler"])
def test_an_abandoned_task_logs_no_never_retrieved(quiet, monkeypatch, caplog):
    if not quiet:  # proves that this test would see the message if it were logged
        monkeypatch.setattr(
            runner_module,
            "_quiet_if_abandoned",
            lambda loop, ctx: loop.default_exception_handler(ctx),
        )

    async def spawns_a_spinner(answer):
        await answer()

    caplog.set_level(logging.ERROR, logger="asyncio")
    result = run(spawns_a_spinner, {"answer": answer_that_spins_in_a_task}, timeout=0.2)
    assert result.status == "timeout"
    assert wait_until_gone("check spawns_a_spinner", within=1.0)
    gc.collect()

    logged = "Task exception was never retrieved" in caplog.text
    assert logged is not quiet


# ---- grade() and check() -------------------------------------------------------------------


@pytest.fixture
def registered(monkeypatch):
    """A fake exercise "demo-exercise" in the registry: 1 of 3 points for answer == 1."""
    exercise = Exercise("demo-exercise", "00-demo")

    @exercise.check("answer is an int")
    def is_an_int(answer):
        expect(isinstance(answer, int), "answer must be an int")

    @exercise.check("answer is two", points=2)
    async def is_two(answer):
        expect(answer == 2, f"answer is {answer!r}, not 2")

    monkeypatch.setitem(EXERCISES, exercise.name, exercise)
    return exercise


def test_grade_returns_a_report(registered):
    report = grade("demo-exercise", {"answer": 1}, timeout=TIMEOUT)

    assert isinstance(report, Report)
    assert report.exercise == "demo-exercise"
    assert [r.status for r in report.results] == ["passed", "failed"]
    assert report.score == Score(1, 3)


def test_check_prints_the_report_and_returns_the_score(registered, capsys):
    score = check("demo-exercise", namespace={"answer": 1}, timeout=TIMEOUT)

    out = capsys.readouterr().out
    assert repr(score) == "1/3 points"
    assert not score.full
    assert out.startswith("demo-exercise: 1/3 points, not yet")
    assert "✓ answer is an int" in out
    assert "✗ answer is two" in out
    assert "answer is 1, not 2" in out


def test_check_with_full_marks(registered, capsys):
    score = check("demo-exercise", namespace={"answer": 2}, timeout=TIMEOUT)

    assert score.full
    assert repr(score) == "3/3 points"
    assert "demo-exercise: 3/3 points, all checks pass" in capsys.readouterr().out


def test_check_reads_the_callers_globals_by_default(registered, capsys):
    score = check("demo-exercise", timeout=TIMEOUT)  # this module has no `answer`

    assert repr(score) == "0/3 points"
    assert "`answer` is not defined" in capsys.readouterr().out


def test_find_exercise_finds_a_real_one():
    assert find_exercise("greeting-app").name == "greeting-app"


def test_find_exercise_suggests_the_close_name():
    with pytest.raises(ValueError, match=r"no exercise called 'greting-app'") as caught:
        find_exercise("greting-app")
    assert "Did you mean 'greeting-app'" in str(caught.value)


def test_find_exercise_with_nothing_close_suggests_nothing():
    with pytest.raises(ValueError, match="no exercise called") as caught:
        find_exercise("zzzzzzzzzzzz")
    assert "Did you mean" not in str(caught.value)


# ---- the report ----------------------------------------------------------------------------


def result(title, status, message="", points=0, max_points=1):
    return Result("demo", title.replace(" ", "_"), title, points, max_points, status, message)


@pytest.fixture
def report():
    return Report(
        "demo",
        [
            result("works", "passed", points=1),
            result("says hi", "failed", "say hi"),
            result("says hi again", "error", "say hi"),
            result("finishes", "timeout", "did not finish"),
            result("later", "not-run", SKIPPED),
            result("last", "not-run", SKIPPED),
        ],
    )


def test_the_text_report(report):
    assert str(report).splitlines() == [
        "demo: 1/6 points, not yet",
        "  ✓ works",
        "  ✗ says hi",
        "      say hi",
        "  ✗ says hi again",
        f"      {SAME}",
        "  ⏱ finishes",
        "      did not finish",
        "  – later",
        f"      {SKIPPED}",
        "  – last",
        f"      {SAME}",
    ]


def test_the_html_report_escapes_messages_and_titles():
    report = Report(
        "demo",
        [
            result("a <b>title</b>", "failed", "sent <script>alert(1)</script> & more"),
            result("ok", "passed", points=1),
        ],
    )

    html = report._repr_html_()

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "a &lt;b&gt;title&lt;/b&gt;" in html
    assert "demo: 1/2 points, not yet" in html
    assert "✗" in html and "✓" in html


def test_the_html_report_says_same_as_above(report):
    html = report._repr_html_()
    assert html.count(SAME) == 2
    assert html.count("say hi") == 1


# ---- a busy machine: time spent waiting for a CPU is not the check's -------------------------


@pytest.fixture
def one_shared_cpu():
    """This thread (so the check's thread it starts) and a spinning process on one CPU."""
    import os
    import subprocess
    import sys

    cpu = min(os.sched_getaffinity(0))
    before = os.sched_getaffinity(0)
    spin = subprocess.Popen(
        [sys.executable, "-c", "while True: pass"],
        preexec_fn=lambda: os.sched_setaffinity(0, {cpu}),
    )
    os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)
        spin.kill()
        spin.wait()


def test_time_a_check_waited_for_a_cpu_is_not_charged(one_shared_cpu):
    async def needs_cpu():  # 0.3 s of CPU, yielding as async code does: well within 0.5 s
        start = time.thread_time()
        while time.thread_time() - start < 0.3:  # noqa: ASYNC110
            await asyncio.sleep(0)  # a yield, as async code makes; not a wait

    result = run(needs_cpu, {}, timeout=0.5)

    assert result.status == "passed", result.message
    assert result.seconds > 0.5  # the clock ran past the timeout: half of it was the spinner's


def test_a_hung_await_still_times_out_on_a_busy_machine(one_shared_cpu):
    async def awaits_answer(answer):
        await answer()

    started = time.perf_counter()
    result = run(awaits_answer, {"answer": answer_that_waits_forever})

    assert result.status == "timeout"
    assert time.perf_counter() - started < TIMEOUT + 1.0
