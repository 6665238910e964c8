"""Lessons, run for real: cells tagged raises-exception really raise, a cell tagged pain-N
shows what docs/pain-points.md says, and the ASGI spec's HTTP and WebSocket events all
appear in what the lessons show.

nbmake (in `make test`) already runs every notebook; this runs the lessons once more to
read their outputs, which nbmake does not keep.
"""

from pathlib import Path

import pytest

from course import nbrun, painpoints
from course._paths import REPO_ROOT

LESSONS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
LESSONS = [p for p in LESSONS if not p.name.startswith("00-")]  # 00 has no error on purpose

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


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_a_lesson_runs_shows_its_events_and_its_errors_are_real(path: Path) -> None:
    run = nbrun.run(path)

    assert run.error is None, run.error[-3000:]
    assert not run.quiet_failures(), (
        f"code cells {run.quiet_failures()} are tagged raises-exception but ran without error"
    )
    missing = PROMISED.get(path.stem, set()) - run.event_types()
    assert not missing, f"{path.name} never shows {sorted(missing)} in a cell's output"
    for number, place in painpoints.places_in(run.nb, path):
        seen = painpoints.PAIN_POINTS[number - 1].seen
        assert seen in run.cell_shows(place.cell), (
            f"{place.link()} is tagged pain-{number} but never shows {seen!r}"
        )
