"""Lesson 11's exercise: tests for the demo's CounterConsumer, graded by what they catch.

The student writes three test functions, ``async def test_...(consumer_app)``, each taking
the ASGI app under test as its one argument. The checks call them directly (no pytest), on
the check's own event loop, each under ``LIMIT`` seconds: against the correct consumer
(``basics.counter.CounterConsumer``) every test must pass; against each of three broken
consumers, made fresh for every test, at least one test must fail. Read the broken ones
below: each differs from the correct one in a single method.
"""

from __future__ import annotations

import asyncio
import inspect
import linecache
import traceback
from typing import Any

from course.checking.model import Exercise, Fail, expect

LESSON = "11-testing-consumers"

consumer_tests = Exercise("consumer-tests", LESSON)
EXERCISES = [consumer_tests]

LIMIT = 0.4  # seconds one test may take; an in-process round trip takes a few milliseconds
NAMES = ("test_counts_up", "test_connections_count_separately", "test_bad_frames_get_errors")
PASSES = (
    "A test must pass on a consumer that does what the spec says: compare what your test "
    "expects with the spec table above the exercise."
)


class TooSlow(Exception):
    """A test that ran out of its LIMIT."""


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


async def _outcome(name: str, test: Any, consumer: Any) -> BaseException | None:
    """Run one test on a fresh app of ``consumer``: None if it passed, else why it failed."""
    expect(
        inspect.iscoroutinefunction(test),
        f"{name} is {test!r}, not an async function: write `async def {name}(consumer_app):`.",
    )
    app = consumer.as_asgi()
    instances: list[asyncio.Task[Any]] = []

    async def consumer_app(scope: Any, receive: Any, send: Any) -> Any:
        instances.append(asyncio.current_task())  # type: ignore[arg-type]
        return await app(scope, receive, send)

    try:
        async with asyncio.timeout(LIMIT) as deadline:
            await test(consumer_app)
    except NotImplementedError:
        raise  # the released stub: the grader says "not written yet"
    except TimeoutError as error:
        return TooSlow(f"did not finish within {LIMIT:g} s") if deadline.expired() else error
    except Exception as error:  # AssertionError is an Exception too
        return error
    finally:
        for task in instances:  # a consumer that crashed unnoticed: no "never retrieved" noise
            if task.done() and not task.cancelled():
                task.exception()
    return None


def _said(error: BaseException, test: Any) -> str:
    """The error, and the line of the test it came from (a bare assert has no message)."""
    text = str(error).strip().splitlines()
    said = f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
    code = getattr(test, "__code__", None)
    lines = [n for frame, n in traceback.walk_tb(error.__traceback__) if frame.f_code is code]
    if code is None or not lines:
        return said
    return f"{said}, at `{linecache.getline(code.co_filename, lines[-1]).strip()}`"


async def _all_pass(tests: dict[str, Any]) -> None:
    """Every test passes on the correct consumer, or Fail saying which did not and why."""
    for name, test in tests.items():
        error = await _outcome(name, test, correct())
        if error is None:
            continue
        if isinstance(error, TooSlow):
            raise Fail(
                f"{name} {error} against the correct CounterConsumer: it waits for something "
                "that never comes, such as a reply to a frame the spec does not answer. To "
                "check that nothing arrives, use `await communicator.receive_nothing()`, "
                "which returns True or False at once."
            )
        raise Fail(
            f"{name} failed against the correct CounterConsumer ({_said(error, test)}). {PASSES}"
        )


async def _catches(tests: dict[str, Any], broken: Any, bug: str, how: str) -> None:
    """At least one test fails against ``broken`` (once all pass on the correct consumer)."""
    try:
        await _all_pass(tests)
    except Fail as fail:
        raise Fail(f"{fail} Until they all pass there, failing here proves nothing.") from None
    for name, test in tests.items():
        if await _outcome(name, test, broken()) is not None:
            return
    raise Fail(f"All three of your tests passed against a CounterConsumer that {bug}. {how}")


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
