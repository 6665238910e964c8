"""Every generated file at once, or a check that none is stale.

    python -m course generate [--check]

In order: each lesson's navigation cell (``nav``), exercises/ from solutions/
(``exercises``, which carries that navigation over), the workshop guide's blocks
(``guide``) and docs/pain-points.md (``painpoints``). ``--check`` writes nothing and
exits 1 if any of them is out of date, naming the command that fixes it.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

# name → the module whose main(argv) writes it; also `python -m course NAME [--check]`.
GENERATORS = {
    "nav": "course.authoring.nav",
    "exercises": "course.authoring.release",
    "guide": "course.authoring.guide",
    "painpoints": "course.authoring.painpoints",
}


def generator(name: str) -> Callable[[list[str]], int]:
    main: Callable[[list[str]], int] = import_module(GENERATORS[name]).main
    return main


def main(argv: list[str]) -> int:
    """Run every generator with *argv* (``[]`` or ``["--check"]``): the worst exit status."""
    if argv not in ([], ["--check"]):
        print("usage: python -m course generate [--check]")
        return 2
    worst = 0
    for name in GENERATORS:
        status = generator(name)(list(argv))
        worst = max(worst, status)
    if argv and worst:
        print("generated files are out of date: run `make generate`")
    return worst
