"""course.authoring.nbrun: a real kernel runs a small notebook; what it showed is read back."""

from pathlib import Path

import nbformat
import pytest

from course.authoring import nbrun

pytestmark = pytest.mark.slow


def notebook(tmp_path: Path, *cells: tuple[str, list[str]]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    for source, tags in cells:
        nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": tags}))
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    return path


def test_events_shown_quiet_failures_and_listings(tmp_path: Path) -> None:
    path = notebook(
        tmp_path,
        ("print({'type': 'http.request', 'body': b''})", []),
        ("{'type': 'websocket.accept'}", []),
        ("1 / 0", ["raises-exception"]),
        ("x = 1", ["raises-exception"]),
        ("import inspect, json; print('websocket.send', inspect.getsource)", []),
    )

    run = nbrun.run(path)

    assert run.error is None
    assert run.event_types() == {"http.request", "websocket.accept"}
    assert run.quiet_failures() == [3]
    assert "ZeroDivisionError" in run.shown()
    assert run.seconds > 0


def test_an_untagged_error_is_reported_and_stops_the_run(tmp_path: Path) -> None:
    path = notebook(tmp_path, ("raise KeyError('boom')", []), ("print('after')", []))

    run = nbrun.run(path)

    assert run.error is not None and "KeyError" in run.error
    assert "after" not in run.shown()
