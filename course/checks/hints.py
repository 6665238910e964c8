"""``hint("name")``: an exercise's next hint, one at a time, and how many each exercise used.

The hints live in course/checks/hints.toml, one ordered list per exercise, and nowhere
else: a released stub only says what to write and that ``hint("name")`` exists. Each call
shows the next hint ("hint 1 of 3", "hint 2 of 3", ...), then "no more hints". The kernel
keeps count: ``hints_used()`` is ``{"greeting-app": 2, ...}``, the hints each exercise has
shown in this kernel, for the grader to read after a notebook has run.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from course.display import ipython_shell

HINTS_FILE = Path(__file__).with_name("hints.toml")
COLOUR = "#0969da"


@cache
def load(path: Path = HINTS_FILE) -> dict[str, tuple[str, ...]]:
    """Exercise name → its hints, in order (each on one line), as hints.toml lists them."""
    with path.open("rb") as file:
        data = tomllib.load(file)
    book = {}
    for name, table in data.items():
        hints = table.get("hints") if isinstance(table, dict) else None
        if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
            raise ValueError(f"{path}: [{name}] needs hints = [...], a list of non-empty strings")
        book[name] = tuple(" ".join(h.split()) for h in hints)
    return book


@dataclass(frozen=True)
class Shown:
    """What one ``hint()`` call shows: hint *number* of *of*, or (number 0) no more hints."""

    exercise: str
    number: int
    of: int
    text: str

    def headline(self) -> str:
        if self.number:
            return f"{self.exercise} · hint {self.number} of {self.of}"
        return f"{self.exercise} · no more hints"

    def __str__(self) -> str:
        return f"{self.headline()}: {self.text}"

    def _repr_pretty_(self, printer: object, cycle: bool) -> None:
        printer.text(str(self))  # type: ignore[attr-defined]

    def _repr_html_(self) -> str:
        return (
            f"<div style='border-left:4px solid {COLOUR};padding:0.1em 0.8em'>"
            f"<b style='color:{COLOUR}'>{escape(self.headline())}</b>: {escape(self.text)}</div>"
        )


class HintBook:
    """Hints by exercise, and how many of each this kernel has shown."""

    def __init__(self, hints: Mapping[str, Sequence[str]]) -> None:
        self.hints = {name: tuple(texts) for name, texts in hints.items()}
        self.used: dict[str, int] = {}

    def next(self, name: str) -> Shown:
        """Exercise *name*'s next hint; a ValueError that lists the exercises for any other name."""
        if name not in self.hints:
            raise ValueError(self._unknown(name))
        hints, used = self.hints[name], self.used.get(name, 0)
        if used < len(hints):
            self.used[name] = used + 1
            return Shown(name, used + 1, len(hints), hints[used])
        return Shown(
            name,
            0,
            len(hints),
            f"you have seen all {len(hints)}; they are in the outputs above. "
            f'check("{name}") says what each check still wants.',
        )

    def _unknown(self, name: str) -> str:
        close = difflib.get_close_matches(name, self.hints, n=1)
        mean = f" Did you mean {close[0]!r}?" if close else ""
        return (
            f"There is no exercise called {name!r}.{mean} "
            f"The exercises are: {', '.join(self.hints)}."
        )


_book: HintBook | None = None


def book() -> HintBook:
    """This kernel's hint book (hints.toml, read on first use)."""
    global _book
    if _book is None:
        _book = HintBook(load())
    return _book


def hint(name: str) -> None:
    """Show exercise ``name``'s next hint, one at a time (1 of 3, 2 of 3, ...), then
    "no more hints". The stub of every exercise names it: ``hint("greeting-app")``."""
    _show(book().next(name))


def hints_used() -> dict[str, int]:
    """How many hints each exercise has shown in this kernel, ``{"greeting-app": 2}``
    (exercises with none left out): a copy, read by the grader after a notebook has run."""
    return dict(_book.used) if _book is not None else {}


def _show(shown: Shown) -> None:
    if ipython_shell() is not None:
        from IPython.display import display

        display(shown)  # type: ignore[no-untyped-call]
    else:
        print(shown)


__all__ = ["HINTS_FILE", "HintBook", "Shown", "book", "hint", "hints_used", "load"]
