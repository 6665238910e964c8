"""Below a cell that failed because an exercise's answer is not written yet: say so, and no more.

A released stub raises ``NotImplementedError('Write job_run(message) here. Stuck? Run
hint("job-worker")')`` (course/checking/stubs.py). A cell that calls it shows that error; a
cell that waits for something a stub should have done fails another way: lesson 10's worker
dies of its stub in a background task and the cell waiting for its reports times out;
lesson 11's line server loses its bot and says "see server.errors". Neither is a classic
Channels error, so the explainer names no pain point (extension.py); instead this note says
the answer is not written yet, and where its hints are. For the second kind it looks at what
the notebook holds: a future that ended with a stub's error (an ApplicationCommunicator's
``future``), or a list of errors holding one (a LineServer's ``errors``).
"""

from __future__ import annotations

import asyncio
import html
import re
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from course.checking.stubs import Stub, unwritten

STYLE = "border-left: 4px solid #0969da; padding: 0.1em 0.8em; margin: 0.5em 0"
HEADING = "Not written yet:"  # what tests look for in a cell's output


@dataclass(frozen=True)
class NotWrittenYet:
    """The stub behind a failed cell, and the notebook name that held it if it died elsewhere."""

    stub: Stub
    held_by: str = ""  # "worker": the cell failed because `worker` died of the stub

    def text(self) -> str:
        what, exercise = self.stub.what, self.stub.exercise
        if self.held_by:
            why = (
                f"`{self.held_by}` stopped in the background on {what}, which is still the "
                "exercise's stub: that is why this cell failed. Write it where its cell says "
                "`# YOUR CODE HERE`, run that cell and the ones after it again."
            )
        else:
            why = (
                f"this cell ran {what}, which is still the exercise's stub. Write it where its "
                "cell says `# YOUR CODE HERE`, run that cell, then this one again."
            )
        return f'{HEADING} {why} Stuck? Run hint("{exercise}").'

    def html(self) -> str:
        body = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(self.text()))
        heading = html.escape(HEADING)
        return f'<div style="{STYLE}"><p>{body.replace(heading, f"<b>{heading}</b>", 1)}</p></div>'

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": self.text(), "text/html": self.html()}

    def __repr__(self) -> str:
        return self.text()


def caused_by_a_stub(error: BaseException) -> bool:
    """Did *error* come from a NotImplementedError (a stub's, or any other)? Then it is
    "not written yet", never a classic Channels error."""
    return unwritten(error) is not None


def find(error: BaseException, namespace: Mapping[str, Any] | None = None) -> NotWrittenYet | None:
    """The note for a cell that failed with *error*: its own stub, else one that a future or
    an error list in *namespace* (the notebook's globals) died of; None when neither."""
    stub = _stub_of(unwritten(error))
    if stub is not None:
        return NotWrittenYet(stub)
    for name, value in (namespace or {}).items():
        if name.startswith("_") or isinstance(value, (types.ModuleType, type)):
            continue
        try:
            stubs = [s for died in _stub_errors(value) if (s := _stub_of(died)) is not None]
        except Exception:  # whatever a notebook holds, looking at it must not fail
            continue
        if stubs:
            return NotWrittenYet(stubs[0], held_by=name)
    return None


def _stub_of(error: BaseException | None) -> Stub | None:
    return Stub.parse(str(error)) if isinstance(error, NotImplementedError) else None


def _stub_errors(value: object) -> Iterator[BaseException]:
    """The errors *value* holds: its own, if it is a finished future, or those of its
    attributes (a future, or a list of errors), one level down; no property is called."""
    held = getattr(value, "__dict__", None)
    candidates = [value, *(held.values() if isinstance(held, dict) else ())]
    for candidate in candidates:
        if isinstance(candidate, asyncio.Future):
            ended = candidate.done() and not candidate.cancelled()
            error = candidate.exception() if ended else None
            if error is not None:
                yield error
        elif isinstance(candidate, (list, tuple)):
            yield from (e for e in candidate[-10:] if isinstance(e, BaseException))


__all__ = ["HEADING", "NotWrittenYet", "caused_by_a_stub", "find"]
