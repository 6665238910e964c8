"""Lessons, run for real: cells tagged raises-exception really raise, a cell tagged pain-N
shows what docs/pain-points.md says (and, if it raises, the error explainer names pain
point N below it), and the ASGI spec's HTTP and WebSocket events all appear in what the
lessons show, and a lesson leaves the demo database as it found it.

nbmake (in `make test`) already runs every notebook; this runs the lessons once more to
read their outputs, which nbmake does not keep.
"""

import contextlib
import os
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from config.settings import default_database
from course import lessons
from course.authoring import nbrun
from course.explain import catalog
from course.explain import extension as explain

LESSONS = lessons.paths()
# Cells that fail on purpose with a classic error but carry no pain-N tag (another cell
# teaches it), and the pain points the error explainer names below them; elsewhere, an
# untagged cell's error must not be explained. Lesson 00 shows the explainer at work.
EXPLAINED_UNTAGGED = {
    "00-welcome-and-setup": {1},
    "01-asgi-in-one-function": {8},  # an ASGI app under a WSGI server; lessons 04, 05 route one
    "04-consumers-and-their-lifecycle": {22},
    "05-routing-and-middleware": {12},
    "07-databases-sessions-and-auth": {1},
}

EXPLAINED = explain.HEADING.replace("{}", r"(\d+)")
EXPLANATION_STARTS = "This looks like a classic Channels error|If this is a classic Channels error"
# The ASGI HTTP and WebSocket spec (2.5): every message type, both directions.
HTTP = {"http.request", "http.disconnect", "http.response.start", "http.response.body"}
WEBSOCKET = {
    "websocket.connect",
    "websocket.accept",
    "websocket.receive",
    "websocket.send",
    "websocket.close",
    "websocket.disconnect",
}
# What each lesson promises to show happening (a trace, a printed message, a diagram).
PROMISED = {
    "01-asgi-in-one-function": {"http.request", "http.response.start", "http.response.body"},
    "02-http-scope-and-events": HTTP,
    "03-websocket-scope-and-events": WEBSOCKET,
}


def test_the_lessons_promise_every_http_and_websocket_event() -> None:
    promised = set().union(*PROMISED.values())
    assert promised >= HTTP | WEBSOCKET, sorted((HTTP | WEBSOCKET) - promised)


def rows(database: Path) -> dict[str, int]:
    """How many rows each table of a SQLite database holds."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_a_lesson_runs_shows_its_events_and_its_errors_are_real(path: Path, tmp_path: Path) -> None:
    # A copy of the demo database of its own (its servers inherit DEMO_DB), to compare after.
    database = tmp_path / "db.sqlite3"
    shutil.copy(default_database(), database)
    before = rows(database)
    run = nbrun.run(path, env={**os.environ, "DEMO_DB": str(database)})

    assert run.error is None, run.error[-3000:]
    changed = {t: (n, rows(database).get(t)) for t, n in before.items() if t != "sqlite_sequence"}
    changed = {t: counts for t, counts in changed.items() if counts[0] != counts[1]}
    assert not changed, (
        f"{path.name} leaves the demo database changed (rows before, after): {changed}"
    )
    assert not run.quiet_failures(), (
        f"code cells {run.quiet_failures()} are tagged raises-exception but ran without error"
    )
    missing = PROMISED.get(path.stem, set()) - run.event_types()
    assert not missing, f"{path.name} never shows {sorted(missing)} in a cell's output"
    for number, place in catalog.places_in(run.nb, path):
        seen = catalog.PAIN_POINTS[number - 1].seen
        shown = run.cell_shows(place.cell)
        # What the cell itself showed: the explainer's note below it quotes errors too.
        itself = re.split(EXPLANATION_STARTS, shown)[0]
        assert seen in itself, f"{place.link()} is tagged pain-{number} but never shows {seen!r}"
        if raised(run.nb.cells[place.cell - 1]):
            assert explain.HEADING.format(number) in shown, (
                f"{place.link()} raises, but the error explainer does not name pain point {number}"
            )
    untagged = {
        int(number)
        for i, cell in enumerate(run.nb.cells, start=1)
        if raised(cell) and not any(t.startswith("pain-") for t in cell.metadata.get("tags", []))
        for number in re.findall(EXPLAINED, run.cell_shows(i))
    }
    assert untagged == EXPLAINED_UNTAGGED.get(path.stem, set()), (
        f"{path.name}: untagged cells explained as pain points {sorted(untagged)}"
    )


def raised(cell: Any) -> bool:
    return any(output.output_type == "error" for output in cell.get("outputs", []))
