"""What a released stub says, and how to tell that a failure comes from one.

Release (course/authoring/release.py) replaces each answer with
``raise NotImplementedError('Write greeting_app(scope, receive, send) here. Stuck? Run
hint("greeting-app")')``: what to write, and where the hints are, never a hint itself.
The check runner (runner.py) and the error explainer (course/explain/) read the same text
back, so an unwritten answer is called "not written yet" wherever it shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

STUB = 'Write {what} here. Stuck? Run hint("{exercise}")'
_STUB = re.compile(r'Write (?P<what>.+) here\. Stuck\? Run hint\("(?P<exercise>[^"]+)"\)')
NOT_WRITTEN = "not written yet"
# What a bare `raise NotImplementedError`, or one of the student's own, is told.
REPLACE = "replace `raise NotImplementedError` in the exercise cell with your code."


@dataclass(frozen=True)
class Stub:
    """One released stub: what the student writes there, and the exercise it belongs to."""

    what: str  # "greeting_app(scope, receive, send)", "RoomConsumer.connect()"
    exercise: str  # "greeting-app"

    def message(self) -> str:
        """The text of the stub's NotImplementedError."""
        return STUB.format(what=self.what, exercise=self.exercise)

    @classmethod
    def parse(cls, text: str) -> Stub | None:
        """The stub whose message is *text*, or None for any other text."""
        match = _STUB.fullmatch(text.strip())
        return cls(match["what"], match["exercise"]) if match else None


def _chain(error: BaseException) -> Iterator[BaseException]:
    """*error*, its causes and contexts, and the members of any ExceptionGroup among them."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [e for e in (current.__cause__, current.__context__) if e is not None]
        if isinstance(current, BaseExceptionGroup):
            todo.extend(current.exceptions)


def unwritten(error: BaseException) -> NotImplementedError | None:
    """The NotImplementedError behind *error* (itself, a cause, a context, a group member):
    a stub's first, then any other; None when there is none."""
    found = [e for e in _chain(error) if isinstance(e, NotImplementedError)]
    stubs = [e for e in found if Stub.parse(str(e)) is not None]
    return next(iter(stubs or found), None)


def not_written_yet(error: NotImplementedError) -> str:
    """What a check, or the explainer, says about an answer that raised *error*."""
    stub = Stub.parse(str(error))
    if stub is not None:
        return (
            f"{NOT_WRITTEN}: write {stub.what} where its cell says `# YOUR CODE HERE`, run that "
            f'cell, then this one again. Stuck? Run hint("{stub.exercise}").'
        )
    said = f" ({error})" if str(error) else ""
    return f"{NOT_WRITTEN}: {REPLACE}{said}"


__all__ = ["NOT_WRITTEN", "STUB", "Stub", "not_written_yet", "unwritten"]
