"""Lesson 12's harness: one of the student's test functions, run on one consumer, and why it
failed when it did.

A test is an ``async def test_...(consumer_app)``; it is awaited on the check's own event loop
under ``LIMIT`` seconds, with a fresh app of the consumer. Besides its error, a run notes what
a student could not see from it: a coroutine the test made and never awaited
(``client.send_json_to(...)`` without ``await``, course/checks/_support/awaits.py), and a
frame the consumer got before its ``websocket.connect`` (a test that never connected).
"""

from __future__ import annotations

import asyncio
import inspect
import linecache
import traceback
from dataclasses import dataclass, field
from typing import Any

from course.checking.model import expect
from course.checks._support.awaits import never_awaited

LIMIT = 0.4  # seconds one test may take; an in-process round trip takes a few milliseconds


class TooSlow(Exception):
    """A test that ran out of its LIMIT."""


@dataclass
class Outcome:
    """How one test went on one consumer: ``error`` is None when it passed."""

    error: BaseException | None = None
    dropped: list[str] = field(default_factory=list)  # coroutines made and never awaited
    unconnected: bool = False  # the consumer got a frame before websocket.connect

    @property
    def passed(self) -> bool:
        return self.error is None

    def cause(self, name: str) -> str:
        """What went wrong inside the test itself, when the run shows it; else ""."""
        if self.dropped:
            method = self.dropped[0].rsplit(".", 1)[-1]
            return (
                f"{name} called {self.dropped[0]} without await: calling an async method only "
                "makes a coroutine, and one nobody awaits never runs, so that step never "
                f'happened (Python warns "coroutine ... was never awaited"). Write await '
                f"client.{method}(...)."
            )
        if self.unconnected:
            return (
                f"{name} sent a frame before connecting: the consumer got websocket.receive "
                "before websocket.connect, and never answered. Open each communicator first: "
                "connected, _ = await client.connect()."
            )
        return ""


async def run_test(name: str, test: Any, consumer: Any) -> Outcome:
    """Run one test on a fresh app of ``consumer``; a stub's NotImplementedError propagates."""
    expect(
        inspect.iscoroutinefunction(test),
        f"{name} is {test!r}, not an async function: write `async def {name}(consumer_app):`.",
    )
    app = consumer.as_asgi()
    instances: list[asyncio.Task[Any]] = []
    outcome = Outcome()

    async def consumer_app(scope: Any, receive: Any, send: Any) -> Any:
        instances.append(asyncio.current_task())  # type: ignore[arg-type]
        first: list[str] = []

        async def watched() -> Any:
            message = await receive()
            if not first:
                first.append(message.get("type"))
                outcome.unconnected |= first[0] == "websocket.receive"
            return message

        return await app(scope, watched, send)

    try:
        with never_awaited() as outcome.dropped:
            async with asyncio.timeout(LIMIT) as deadline:
                await test(consumer_app)
    except NotImplementedError:
        raise  # the released stub: the grader says "not written yet"
    except TimeoutError as error:
        outcome.error = (
            TooSlow(f"did not finish within {LIMIT:g} s") if deadline.expired() else error
        )
    except Exception as error:  # AssertionError is an Exception too
        outcome.error = error
    finally:
        for task in instances:  # a consumer that crashed unnoticed: no "never retrieved" noise
            if task.done() and not task.cancelled():
                task.exception()
    return outcome


def said(error: BaseException, test: Any) -> str:
    """The error, and the line of the test it came from (a bare assert has no message)."""
    text = str(error).strip().splitlines()
    shown = f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
    code = getattr(test, "__code__", None)
    lines = [n for frame, n in traceback.walk_tb(error.__traceback__) if frame.f_code is code]
    if code is None or not lines:
        return shown
    return f"{shown}, at `{linecache.getline(code.co_filename, lines[-1]).strip()}`"


__all__ = ["LIMIT", "Outcome", "TooSlow", "run_test", "said"]
