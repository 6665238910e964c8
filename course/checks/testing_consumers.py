"""Lesson 12's exercise: tests for the demo's CounterConsumer, graded by what they catch.

The student writes three test functions, ``async def test_...(consumer_app)``, each taking
the ASGI app under test as its one argument. The checks call them directly (no pytest), on
the check's own event loop, each under 0.4 s (course/checks/_support/test_runs.py): against
the correct consumer (``basics.counter.CounterConsumer``) every test must pass; against each
of four broken consumers, made fresh for every test, at least one test must fail. Read the
broken ones below: each differs from the correct one in a single method.
"""

from __future__ import annotations

from typing import Any

from course.checking.model import Exercise, Fail
from course.checks._support.test_runs import TooSlow, run_test, said

LESSON = "12-testing-consumers"

consumer_tests = Exercise("consumer-tests", LESSON)
EXERCISES = [consumer_tests]

NAMES = ("test_counts_up", "test_connections_count_separately", "test_bad_frames_get_errors")
PASSES = (
    "A test must pass on a consumer that does what the spec says: compare what your test "
    "expects with the spec table above the exercise."
)


def correct() -> Any:
    from basics.counter import CounterConsumer

    return CounterConsumer


def last_number() -> Any:
    """Answers each {"add": n} with {"count": n}: the number it was sent, not the total."""

    class LastNumberCounter(correct()):  # type: ignore[misc]
        async def receive_json(self, content: Any, **kwargs: Any) -> None:
            from basics.counter import USAGE, number_to_add

            n = number_to_add(content)
            await self.send_json({"count": n} if n is not None else {"error": USAGE})

    return LastNumberCounter


def shared_total() -> Any:
    """Keeps ONE total for every connection: ``count`` is a class attribute."""

    class SharedCounter(correct()):  # type: ignore[misc]
        count = 0

        async def connect(self) -> None:
            await self.accept()  # forgot: self.count = 0

        async def receive_json(self, content: Any, **kwargs: Any) -> None:
            from basics.counter import USAGE, number_to_add

            n = number_to_add(content)
            if n is None:
                await self.send_json({"error": USAGE})
                return
            type(self).count += n
            await self.send_json({"count": type(self).count})

    return SharedCounter


def fragile() -> Any:
    """Trusts every frame: bad JSON or {"add": "1"} raises, and the consumer dies."""

    class FragileCounter(correct()):  # type: ignore[misc]
        async def receive(self, text_data: Any = None, bytes_data: Any = None, **kw: Any) -> None:
            await self.receive_json(await self.decode_json(text_data))

        async def receive_json(self, content: Any, **kwargs: Any) -> None:
            self.count += content["add"]
            await self.send_json({"count": self.count})

    return FragileCounter


def silent() -> Any:
    """Ignores a frame it cannot add: no error reply, though the total and connection are fine."""

    class SilentCounter(correct()):  # type: ignore[misc]
        async def receive_json(self, content: Any, **kwargs: Any) -> None:
            from basics.counter import number_to_add

            n = number_to_add(content)
            if n is not None:
                self.count += n
                await self.send_json({"count": self.count})

    return SilentCounter


async def _all_pass(tests: dict[str, Any]) -> None:
    """Every test passes on the correct consumer, or Fail saying which did not and why."""
    for name, test in tests.items():
        outcome = await run_test(name, test, correct())
        if outcome.error is None:
            continue
        cause = outcome.cause(name)
        if cause:
            raise Fail(f"{name} failed against the correct CounterConsumer. {cause}")
        if isinstance(outcome.error, TooSlow):
            raise Fail(
                f"{name} {outcome.error} against the correct CounterConsumer: it waits for "
                "something that never comes, such as a reply to a frame the spec does not "
                "answer. To check that nothing arrives, use `await communicator."
                "receive_nothing()`, which returns True or False at once."
            )
        shown = said(outcome.error, test)
        words = (
            ' The spec promises an "error" key, not its words: assert "error" in reply.'
            if "==" in shown and '"error":' in shown
            else ""
        )
        raise Fail(f"{name} failed against the correct CounterConsumer ({shown}). {PASSES}{words}")


async def _catches(tests: dict[str, Any], broken: Any, bug: str, how: str) -> None:
    """At least one test fails against ``broken`` (once all pass on the correct consumer)."""
    try:
        await _all_pass(tests)
    except Fail as fail:
        raise Fail(f"{fail} Until they all pass there, failing here proves nothing.") from None
    causes = []
    for name, test in tests.items():
        outcome = await run_test(name, test, broken())
        if not outcome.passed:
            return
        causes.append(outcome.cause(name))
    also = "".join(f" Also: {cause}" for cause in causes if cause)
    raise Fail(f"All three of your tests passed against a CounterConsumer that {bug}. {how}{also}")


def _tests(*functions: Any) -> dict[str, Any]:
    return dict(zip(NAMES, functions, strict=True))


@consumer_tests.check("all three tests pass against the correct CounterConsumer")
async def pass_on_the_correct_consumer(
    test_counts_up: Any, test_connections_count_separately: Any, test_bad_frames_get_errors: Any
) -> None:
    await _all_pass(
        _tests(test_counts_up, test_connections_count_separately, test_bad_frames_get_errors)
    )


@consumer_tests.check("they catch a counter that replies with the last number, not the total")
async def catch_the_last_number(
    test_counts_up: Any, test_connections_count_separately: Any, test_bad_frames_get_errors: Any
) -> None:
    await _catches(
        _tests(test_counts_up, test_connections_count_separately, test_bad_frames_get_errors),
        last_number,
        'answers {"add": n} with {"count": n}, the number it was just sent, not the total',
        'Send two numbers on one connection and check the second reply: {"add": 2} then '
        '{"add": 3} must give {"count": 5}.',
    )


@consumer_tests.check("they catch a counter that shares one total between connections")
async def catch_the_shared_total(
    test_counts_up: Any, test_connections_count_separately: Any, test_bad_frames_get_errors: Any
) -> None:
    await _catches(
        _tests(test_counts_up, test_connections_count_separately, test_bad_frames_get_errors),
        shared_total,
        "keeps one total for all its connections (a class attribute, not self.count)",
        "In one test, open two WebsocketCommunicators on consumer_app, add on the first, "
        'then check the second still starts from 0: its first {"add": 1} gives {"count": 1}.',
    )


@consumer_tests.check("they catch a counter that crashes on a bad frame")
async def catch_the_crash(
    test_counts_up: Any, test_connections_count_separately: Any, test_bad_frames_get_errors: Any
) -> None:
    await _catches(
        _tests(test_counts_up, test_connections_count_separately, test_bad_frames_get_errors),
        fragile,
        'trusts every frame and dies on one it cannot add (not JSON, {"add": "1"})',
        'Send a bad frame, check that the reply has an "error" key, then that the same '
        "connection still counts.",
    )


@consumer_tests.check("they catch a counter that ignores a bad frame, with no error reply")
async def catch_the_silence(
    test_counts_up: Any, test_connections_count_separately: Any, test_bad_frames_get_errors: Any
) -> None:
    await _catches(
        _tests(test_counts_up, test_connections_count_separately, test_bad_frames_get_errors),
        silent,
        "ignores a frame it cannot add: it neither crashes nor answers with an error",
        'After each bad frame, read the reply and check it has an "error" key: '
        'assert "error" in await client.receive_json_from().',
    )
