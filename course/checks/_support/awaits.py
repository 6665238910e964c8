"""Calls a student forgot to await: a coroutine made and dropped, its work never done.

``record_calls(layer)`` wraps a channel layer's ``send`` and ``group_send`` (on the instance
only), so that a check can tell "sent nowhere" from "sent somewhere else" from "sent without
await", and say which. ``never_awaited()`` collects the RuntimeWarning Python gives for any
coroutine dropped before it ran (a test's ``client.send_json_to(...)`` without ``await``).
"""

from __future__ import annotations

import contextlib
import inspect
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_NEVER_AWAITED = re.compile(r"coroutine '(?P<name>[^']+)' was never awaited")
WATCHED = ("send", "group_send")


@dataclass(frozen=True)
class Call:
    """One call of a layer method: its name, arguments, and the coroutine it returned."""

    method: str
    args: tuple[Any, ...]
    coroutine: Any

    @property
    def awaited(self) -> bool:
        return inspect.getcoroutinestate(self.coroutine) != inspect.CORO_CREATED

    def shown(self, via: str) -> str:
        """The call as the student wrote it: ``layer.group_send('chat.lobby', {...})``."""
        return f"{via}.{self.method}({', '.join(repr(a) for a in self.args)})"


@dataclass
class Calls:
    """Every watched call made through one layer, in order."""

    made: list[Call] = field(default_factory=list)

    def of(self, method: str) -> list[Call]:
        return [c for c in self.made if c.method == method]

    def unawaited(self) -> list[Call]:
        """The calls whose coroutine never ran; each is closed, so Python warns no more."""
        dropped = [c for c in self.made if not c.awaited]
        for call in dropped:
            call.coroutine.close()
        return dropped


def record_calls(layer: Any, methods: tuple[str, ...] = WATCHED) -> Calls:
    """Record every call of ``methods`` (``send`` and ``group_send``) made through ``layer``
    from now on."""
    from asgiref.sync import markcoroutinefunction

    calls = Calls()
    for method in methods:
        original = getattr(layer, method)

        def wrapper(*args: Any, _method: str = method, _original: Any = original) -> Any:
            coroutine = _original(*args)
            calls.made.append(Call(_method, args, coroutine))
            return coroutine

        # Marked, so that async_to_sync(layer.group_send) sees what it would have seen.
        setattr(layer, method, markcoroutinefunction(wrapper))
    return calls


def without_await(dropped: list[Call], who: str, via: str) -> str:
    """What to tell a student whose code dropped ``dropped``: which call, and the fix."""
    first = dropped[0]
    times = "once" if len(dropped) == 1 else f"{len(dropped)} times"
    return (
        f"{who} called {via}.{first.method} without await ({times}; the first was "
        f"{first.shown(via)}): calling an async method only makes a coroutine, and a "
        f"coroutine nobody awaits never runs, so {_effect(first.method)} (Python warns "
        f'"coroutine ... was never awaited"). Write await {via}.{first.method}(...).'
    )


def _effect(method: str) -> str:
    """What a dropped call of ``method`` failed to do."""
    if method in ("send", "group_send"):
        return "that message was never sent"
    return f"that {method} never happened"


@contextlib.contextmanager
def never_awaited() -> Iterator[list[str]]:
    """The names of coroutines dropped un-run while the block runs, filled in as it ends
    (also when it raises): ``['WebsocketCommunicator.send_json_to']``.

    Other warnings are shown again as they would have been. The warnings module is one per
    process: a check's thread may use it because the kernel's thread only waits meanwhile.
    A dropped coroutine warns as soon as nothing refers to it, at once in the usual case.
    """
    names: list[str] = []
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as recorded:
            warnings.simplefilter("always")
            try:
                yield names
            finally:
                caught = list(recorded)
    finally:
        for warning in caught:
            match = _NEVER_AWAITED.search(str(warning.message))
            if match and issubclass(warning.category, RuntimeWarning):
                names.append(match["name"])
            else:
                warnings.warn_explicit(
                    warning.message, warning.category, warning.filename, warning.lineno
                )


__all__ = ["Call", "Calls", "never_awaited", "record_calls", "without_await"]
