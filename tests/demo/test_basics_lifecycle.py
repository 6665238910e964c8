"""basics.lifecycle: the gatekeeper refuses before accepting, in-process and under daphne."""

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from basics.lifecycle import GatekeeperConsumer, application
from course.servers import serve

# A consumer closes stale database connections in a worker thread on disconnect; for
# pytest-django that is database access (see test_basics_consumers.py).
uses_db_thread = pytest.mark.django_db(transaction=True)


@uses_db_thread
async def test_the_right_token_is_accepted_and_answered_once(ws):
    communicator = ws("/ws/gate/?token=open-sesame", headers=[], app=application)
    assert await communicator.connect() == (True, None)

    await communicator.send_to(text_data="hi")
    assert await communicator.receive_from() == "welcome! you said 'hi'"
    assert await communicator.receive_output() == {"type": "websocket.close"}


@uses_db_thread
@pytest.mark.parametrize("query", ["", "?token=wrong", "?token=open-sesame&x=1"])
async def test_anyone_else_is_closed_before_accept(ws, query):
    communicator = ws(f"/ws/gate/{query}", headers=[], app=GatekeeperConsumer.as_asgi())
    assert await communicator.connect() == (False, 1000)


@pytest.mark.slow
async def test_under_daphne_a_refusal_is_http_403_and_the_token_gets_in():
    with serve("basics.lifecycle:application", name="test-lifecycle") as server:
        with pytest.raises(InvalidStatus) as refused:
            await connect(server.ws_url("ws/gate/"))
        assert refused.value.response.status_code == 403

        async with connect(server.ws_url("ws/gate/?token=open-sesame")) as websocket:
            await websocket.send("hi")
            assert await websocket.recv() == "welcome! you said 'hi'"
            await websocket.wait_closed()
        assert websocket.close_code == 1000
