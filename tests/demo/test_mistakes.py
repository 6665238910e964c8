"""basics.mistakes: the apps lesson 01 serves broken on purpose stay broken the same way."""

import time

import httpx
import pytest
from asgiref.testing import ApplicationCommunicator

from basics.mistakes import body_before_start
from course.live.servers import serve
from course.scopes import http_scope


async def test_body_before_start_sends_the_body_first():
    communicator = ApplicationCommunicator(body_before_start, http_scope("/"))
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    first = await communicator.receive_output()
    await communicator.wait()

    assert first == {"type": "http.response.body", "body": b"Hello?"}


async def test_body_before_start_refuses_other_scope_types():
    communicator = ApplicationCommunicator(body_before_start, {"type": "websocket"})
    with pytest.raises(ValueError, match="handles http, not 'websocket'"):
        await communicator.wait()


@pytest.mark.slow
def test_daphne_answers_500_and_logs_why():
    with serve("basics.mistakes:body_before_start", name="mistakes-test") as server:
        response = httpx.get(server.url, timeout=5)
        deadline = time.monotonic() + 5
        while '"GET /" 500' not in (log := server.logs(2)) and time.monotonic() < deadline:
            time.sleep(0.05)  # daphne writes the access line just after the response

    assert response.status_code == 500
    assert "ValueError: HTTP response has not yet been started" in log
    assert '"GET /" 500' in log
