"""check()'s reporter (course/checking/board.py) and the board's cells (hub/board/summary.py),
without a hub: off a hub nothing is sent, and a board that is down never slows check()."""

import json
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace

import pytest

from course.checking import board
from course.checks import check
from hub.board import summary

ON_A_HUB = {"JUPYTERHUB_API_TOKEN": "t0ken", "JUPYTERHUB_SERVICE_PREFIX": "/user/ada/"}


def test_off_a_hub_nothing_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [*ON_A_HUB, "COURSE_BOARD_URL"]:
        monkeypatch.delenv(name, raising=False)
    assert board.report("greeting-app", 1, 5, 0) is None
    assert board.board_url({**ON_A_HUB}) is None, "a hub without a board: nothing either"
    monkeypatch.setenv("COURSE_BOARD_URL", "http://127.0.0.1:9/services/board/")
    assert board.report("greeting-app", 1, 5, 0) is None, "a board but no hub"


def test_check_posts_its_result_with_the_students_token(monkeypatch: pytest.MonkeyPatch) -> None:
    got: list[tuple[str, dict[str, object]]] = []

    class Board(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append((self.headers["Authorization"], json.loads(body)))
            self.send_response(201)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Board)
    threading.Thread(target=server.handle_request, daemon=True).start()
    for name, value in ON_A_HUB.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("COURSE_BOARD_URL", f"http://127.0.0.1:{server.server_port}/b/")
    score = check("greeting-app", namespace={})
    deadline = time.monotonic() + 5
    while not got and time.monotonic() < deadline:
        time.sleep(0.05)
    server.server_close()
    assert got, "nothing reached the board"
    token, body = got[0]
    assert token == "token t0ken"
    assert body["exercise"] == "greeting-app"
    assert (body["points"], body["max_points"]) == (score.points, score.max_points)
    assert body["hints"] == 0 and datetime.fromisoformat(str(body["at"])).tzinfo


def test_a_board_that_never_answers_does_not_slow_check(monkeypatch: pytest.MonkeyPatch) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts connections, never answers
    for name, value in ON_A_HUB.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("COURSE_BOARD_URL", f"http://127.0.0.1:{silent.getsockname()[1]}/")
    started = time.monotonic()
    thread = board.report("greeting-app", 0, 5, 1)
    assert time.monotonic() - started < 0.05
    assert thread is not None and thread.daemon
    thread.join(board.TIMEOUT + 2)
    assert not thread.is_alive(), "the reporter outlived its timeout"
    silent.close()


def attempt(points: int, minutes_ago: float, hints: int = 0) -> SimpleNamespace:
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    at = now - timedelta(minutes=minutes_ago)
    return SimpleNamespace(
        student="ada", exercise="greeting-app", points=points, max_points=5, hints=hints, at=at
    )


@pytest.mark.parametrize(
    ("attempts", "passed", "stuck"),
    [
        ([attempt(2, 1)], False, False),
        ([attempt(2, 3), attempt(3, 2), attempt(4, 1)], False, True),  # three tries
        ([attempt(2, 1, hints=2)], False, True),  # two hints
        ([attempt(2, 11)], False, True),  # ten minutes
        ([attempt(2, 3), attempt(2, 2), attempt(5, 1)], True, False),
        ([attempt(5, 2), attempt(1, 1)], True, False),  # passed once: not stuck
    ],
)
def test_who_is_stuck(attempts: list[SimpleNamespace], passed: bool, stuck: bool) -> None:
    cell = summary.cell(attempts, datetime(2026, 1, 1, 12, tzinfo=UTC))
    assert (cell.passed, cell.stuck, cell.tries) == (passed, stuck, len(attempts))
    assert cell.best == max(a.points for a in attempts) and cell.last == attempts[-1].points


def test_the_csv_follows_the_course_order() -> None:
    assert summary.exercises()[0] == "greeting-app"
    cells = summary.cells([attempt(5, 1)], datetime(2026, 1, 1, 12, tzinfo=UTC))
    rows = summary.as_csv(cells).splitlines()
    assert rows[0].split(",")[:4] == ["student", "exercise", "tries", "best"]
    assert rows[1].startswith("ada,greeting-app,1,5,5,5,0,")
