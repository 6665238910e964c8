"""course/explain.py: below each classic Channels error, its explanation and lesson link.

Every error here is real: real consumers and communicators, real channel layers, a real
Redis, daphne and Django's own WSGI server where the pain point needs one, all run as cells
of a real IPython shell set up by ``course.setup()``, as a notebook's first cell does.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from IPython.core import async_helpers
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from traitlets.config import Config

from course import explain, painpoints
from tests.course.explain_cases import EXPLAINED, UNRELATED, Case

# Consumers close stale database connections in a worker thread around each handler: for
# pytest-django that is database access.
pytestmark = pytest.mark.django_db(transaction=True)

NAMED = re.compile(re.escape(explain.HEADING).replace(r"\{\}", r"(\d+)"))


@dataclass
class Ran:
    """One cell, run: its error, what it printed (the traceback), what it displayed."""

    error: BaseException | None
    printed: str
    shown: list[dict[str, str]]

    def explanations(self) -> list[dict[str, str]]:
        return [out for out in self.shown if NAMED.search(out.get("text/plain", ""))]


Run = Callable[..., Ran]


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InteractiveShell]:
    """A real IPython shell, set up as a notebook's first cell does."""
    os.environ["IPYTHONDIR"] = str(tmp_path_factory.mktemp("ipython"))
    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    ip = InteractiveShell.instance(config=config)
    ip.run_cell("import course\ncourse.setup(migrate=False, quiet=True)")
    yield ip
    ip.extension_manager.unload_extension("course.explain")
    InteractiveShell.clear_instance()
    loop = async_helpers.get_asyncio_loop()
    left = asyncio.all_tasks(loop)  # consumers the cells left running
    for task in left:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
    del os.environ["IPYTHONDIR"]


@pytest.fixture
def run(shell: InteractiveShell) -> Run:
    def run_cell(source: str, **names: Any) -> Ran:
        shell.push(names)
        with capture_output() as captured:
            result = shell.run_cell(textwrap.dedent(source))
        shown = [{k: str(v) for k, v in out.data.items()} for out in captured.outputs]
        return Ran(result.error_in_exec, captured.stdout + captured.stderr, shown)

    return run_cell


def shows(ran: Ran, number: int, *, first: bool = True) -> None:
    """The cell failed, its traceback is intact, and below it ONE explanation names
    pain point *number* (first, if *first*) and links every lesson cell that teaches it."""
    assert ran.error is not None, "the cell did not fail"
    assert type(ran.error).__name__ in ran.printed, "the normal traceback is missing"
    found = ran.explanations()
    assert len(found) == 1, f"{len(found)} explanations shown, not 1: {ran.shown}"
    text, markup = found[0]["text/plain"], found[0]["text/html"]
    named = [int(n) for n in NAMED.findall(text)]
    assert number in named, f"pain point {number} not named; got {named}:\n{text}"
    if first:
        assert named[0] == number, f"pain point {number} is not named first: {named}"
    places = painpoints.places()[number]
    for place in places:
        assert f'href="{html.escape(place.href())}"' in markup, place.href()
        assert place.href() in text
    assert "<script" not in markup


def nothing_shown(ran: Ran) -> None:
    assert ran.error is not None, "the cell did not fail"
    assert not ran.explanations(), f"an unrelated error was explained: {ran.shown}"


def test_setup_loads_the_explainer_once(shell: InteractiveShell, run: Run) -> None:
    run("course.setup(migrate=False, quiet=True)")
    assert "course.explain" in shell.extension_manager.loaded
    assert shell.events.callbacks["post_run_cell"].count(explain._after_cell) == 1
    shows(run("from channels.exceptions import ChannelFull\nraise ChannelFull('box')"), 17)


@pytest.mark.parametrize("case", EXPLAINED, ids=lambda case: f"{case.number}-{case.name}")
def test_a_classic_error_is_explained_below_its_traceback(run: Run, case: Case) -> None:
    for source in case.before:
        assert run(source).error is None, source
    try:
        shows(run(case.cell), case.number, first=case.first)
    finally:
        for source in case.after:
            run(source)


@pytest.mark.parametrize("case", UNRELATED, ids=lambda case: case.name)
def test_an_unrelated_error_is_left_alone(run: Run, case: Case) -> None:
    nothing_shown(run(case.cell))


def test_every_pain_point_has_a_rule_a_note_and_a_lesson() -> None:
    numbers = list(range(1, 26))
    assert sorted(explain.RULES) == sorted(explain.NOTES) == numbers
    assert sorted(painpoints.places()) == numbers


def test_the_explanation_is_escaped_html_with_a_text_twin() -> None:
    shown = explain.explain(ValueError("No handler for message type chat.message"))
    assert shown is not None and shown.numbers == [4]
    bundle = shown._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    assert '"chat.message"' in bundle["text/plain"]
    assert "&quot;chat.message&quot;" in bundle["text/html"]
    assert "<code>chat_message(self, event)</code>" in bundle["text/html"]


# ---- errors that need a process: daphne, Redis, a fresh interpreter -------------------------
