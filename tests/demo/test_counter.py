"""basics.counter: the running total lesson 12's exercise writes tests for."""

import pytest

from basics.counter import CounterConsumer, number_to_add

# The consumer's disconnect closes stale database connections in a worker thread; for
# pytest-django that is database access.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def counter(ws):
    async def connect():
        communicator = ws("/", headers=[], app=CounterConsumer.as_asgi())
        connected, _ = await communicator.connect()
        assert connected
        return communicator

    return connect


async def test_the_total_runs_per_connection(counter):
    first, second = await counter(), await counter()
    for n, total in [(2, 2), (3, 5), (-10, -5)]:
        await first.send_json_to({"add": n})
        assert await first.receive_json_from() == {"count": total}
    await second.send_json_to({"add": 1})
    assert await second.receive_json_from() == {"count": 1}
    assert await first.receive_nothing()


@pytest.mark.parametrize(
    "frame",
    ["not json", "[1]", '{"add": "1"}', '{"add": 1.5}', '{"add": true}', '{"sub": 1}', "null"],
)
async def test_a_bad_frame_gets_an_error_and_changes_nothing(counter, frame):
    communicator = await counter()
    await communicator.send_json_to({"add": 4})
    assert await communicator.receive_json_from() == {"count": 4}
    await communicator.send_to(text_data=frame)
    reply = await communicator.receive_json_from()
    assert set(reply) == {"error"} and "add" in reply["error"]
    await communicator.send_json_to({"add": 1})
    assert await communicator.receive_json_from() == {"count": 5}


async def test_a_binary_frame_gets_an_error(counter):
    communicator = await counter()
    await communicator.send_to(bytes_data=b"\x01")
    assert "error" in await communicator.receive_json_from()


def test_number_to_add_accepts_only_whole_numbers():
    assert number_to_add({"add": 0}) == 0
    assert number_to_add({"add": -3}) == -3
    assert number_to_add({"add": False}) is None
    assert number_to_add([("add", 1)]) is None
