"""Below a classic Channels error, say what happened and which lesson cell teaches it.

An IPython extension: ``course.setup()`` loads it in a notebook (``%load_ext course.explain``
does the same). When a cell fails with one of the 25 classic pain points
(course/explain/catalog.py), the traceback shows as usual, and below it a short note: what
happened, why, the fix, the upstream issues, and a link to the lesson cell that reproduces
it. When an error has several usual causes, up to three are shown, the likeliest first,
each with the test that tells it apart. course/explain/rules.py decides which pain point an
error is; what is said about each is its record in course/explain/painpoints.toml.
An error that an unwritten exercise caused is none of them: below it, course/explain/
unwritten.py says "Not written yet" and where the hints are, and no pain point is named.

It listens to IPython's ``post_run_cell`` event, which fires after every cell (top-level
``await`` included) once the traceback is shown, with the exception in
``result.error_in_exec``. ``set_custom_exc`` would take the shell's one custom handler and
have to draw the traceback itself.
"""

from __future__ import annotations

import functools
import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from course.explain import catalog as painpoints
from course.explain import unwritten
from course.explain.evidence import Failure
from course.explain.rules import NO, RULES

__all__ = ["Explanation", "explain", "load_ipython_extension", "unload_ipython_extension"]

MOST = 3  # causes shown at most
HEADING = "Channels pain point {}:"  # what tests look for in a cell's output
STYLE = "border-left: 4px solid #d9822b; padding: 0.1em 0.8em; margin: 0.5em 0"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cause:
    point: painpoints.PainPoint
    places: tuple[painpoints.Place, ...]

    def lines(self) -> list[tuple[str, str]]:
        """(label, text) pairs: the heading, when it applies, why, the fix, where, issues."""
        when = self.point.when
        lines = [
            (HEADING.format(self.point.number), self.point.title),
            ("", when[:1].upper() + when[1:] + "."),
            ("Why:", self.point.why),
            ("Fix:", self.point.fix),
        ]
        if self.point.issues != "—":
            lines.append(("Issues:", self.point.issues))
        return lines


@dataclass(frozen=True)
class Explanation:
    """What the explainer shows below a failed cell: one cause, or up to three."""

    causes: tuple[Cause, ...]

    @property
    def numbers(self) -> list[int]:
        return [cause.point.number for cause in self.causes]

    def intro(self) -> str:
        if len(self.causes) == 1:
            return "This looks like a classic Channels error."
        return "If this is a classic Channels error, it is most likely one of these:"

    def text(self) -> str:
        out = [self.intro()]
        for cause in self.causes:
            heading, *rest = cause.lines()
            out.append(" ".join(heading))
            out += ["  " + " ".join(part for part in line if part) for line in rest]
            out += [f"  Lesson: {p.label()} → {p.href()}" for p in cause.places]
        return "\n".join(out)

    def html(self) -> str:
        parts = [f'<div style="{STYLE}"><p>{_markup(self.intro())}</p>']
        for cause in self.causes:
            rows = [
                f"<b>{_markup(label)}</b> {_markup(text)}" if label else _markup(text)
                for label, text in cause.lines()
            ]
            rows += [
                f'<b>Lesson:</b> <a href="{html.escape(p.href())}">{html.escape(p.label())}</a>'
                for p in cause.places
            ]
            parts.append("<p>" + "<br>".join(rows) + "</p>")
        return "".join(parts) + "</div>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": self.text(), "text/html": self.html()}

    def __repr__(self) -> str:
        return self.text()


def _markup(text: str) -> str:
    """Escaped HTML, with `backticks` shown as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


@functools.cache
def _places() -> dict[int, list[painpoints.Place]]:
    return painpoints.places()


def _score(rule: Callable[[Failure], int], failure: Failure) -> int:
    try:
        return rule(failure)
    except Exception:  # one broken rule must not silence the others
        logger.debug("explainer rule %s failed", rule.__name__, exc_info=True)
        return NO


def explain(error: BaseException, source: str = "") -> Explanation | None:
    """The classic pain points *error* (raised by a cell with this *source*) most likely is:
    none when a NotImplementedError caused it (an exercise not written yet)."""
    if unwritten.caused_by_a_stub(error):
        return None
    failure = Failure(error, source)
    scored = sorted(((-_score(rule, failure), n) for n, rule in RULES.items()))
    best = -scored[0][0]
    if best == NO:
        return None
    points = {point.number: point for point in painpoints.PAIN_POINTS}
    causes = tuple(
        Cause(points[n], tuple(_places().get(n, [])))
        for minus, n in scored
        if -minus >= max(best - 1, NO + 1)
    )
    return Explanation(causes[:MOST])


def _after_cell(result: Any) -> None:
    """IPython's post_run_cell callback: under a failed cell, "not written yet" or a pain point."""
    error = getattr(result, "error_in_exec", None)
    if error is None:
        return
    from IPython import get_ipython
    from IPython.display import display

    try:
        # Not written yet: the exercise's stub, in this cell or behind it, and no pain point.
        shown: object = unwritten.find(error, getattr(get_ipython(), "user_ns", None))
        if shown is None:
            shown = explain(error, getattr(result.info, "raw_cell", None) or "")
    except Exception:  # the explainer must never add an error of its own
        logger.debug("the explainer failed", exc_info=True)
        return
    if shown is not None:
        display(shown)  # type: ignore[no-untyped-call]


def load_ipython_extension(ipython: Any) -> None:
    """Called by ``%load_ext course.explain`` and ``course.setup()``; loading twice is harmless."""
    if _after_cell not in ipython.events.callbacks["post_run_cell"]:
        ipython.events.register("post_run_cell", _after_cell)


def unload_ipython_extension(ipython: Any) -> None:
    if _after_cell in ipython.events.callbacks["post_run_cell"]:
        ipython.events.unregister("post_run_cell", _after_cell)
