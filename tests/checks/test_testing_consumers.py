"""Lesson 12's checks on weak tests: each one fails, and is told why.

The solution's full marks and the released stub's zero are tested in test_both_ways.py.
"""

import asyncio

import pytest
from channels.testing import WebsocketCommunicator

from course.checks import grade
from course.checks.testing_consumers import NAMES, consumer_tests
from tests.checks import wrong
from tests.checks.helpers import (
    SOLUTIONS_DIR,
    message_of,
    solution_namespace,
    status_of,
)
from tests.checks.wrong import WrongAnswer

NOTEBOOK = SOLUTIONS_DIR / "12-testing-consumers.ipynb"
TIMEOUT = 2.0
CHECKS = [check.name for check in consumer_tests]
CATCHES = CHECKS[1:]


# ---- what students write: graded in a kernel through check() and in batch (wrong.py) -------

COUNTS_UP = """
    client = WebsocketCommunicator(consumer_app, "/")
    connected, _ = await client.connect()
    assert connected
    for n, total in [(2, 2), (3, 5), (-1, 4)]:
        await client.send_json_to({"add": n})
        assert await client.receive_json_from() == {"count": total}
    await client.disconnect()
"""
SEPARATELY = """
    first = WebsocketCommunicator(consumer_app, "/")
    second = WebsocketCommunicator(consumer_app, "/")
    assert (await first.connect())[0] and (await second.connect())[0]
    await first.send_json_to({"add": 5})
    assert await first.receive_json_from() == {"count": 5}
    await second.send_json_to({"add": 1})
    assert await second.receive_json_from() == {"count": 1}
    await first.disconnect()
    await second.disconnect()
"""
BAD_FRAMES = """
    client = WebsocketCommunicator(consumer_app, "/")
    assert (await client.connect())[0]
    for frame in ["not JSON", '{"add": "1"}', '{"add": 1.5}', "[1]"]:
        await client.send_to(text_data=frame)
        reply = await client.receive_json_from()
        assert "error" in reply, f"{frame} got {reply}, not an error"
    await client.send_json_to({"add": 1})
    assert await client.receive_json_from() == {"count": 1}
    await client.disconnect()
"""
CELL = """
from channels.testing import WebsocketCommunicator


async def test_counts_up(consumer_app):
{counts_up}

async def test_connections_count_separately(consumer_app):
{separately}

async def test_bad_frames_get_errors(consumer_app):
{bad_frames}"""


def three_tests(name, says, counts_up=COUNTS_UP, separately=SEPARATELY, bad_frames=BAD_FRAMES):
    """A WrongAnswer: the exercise's cell with the three tests as given."""
    source = CELL.format(counts_up=counts_up, separately=separately, bad_frames=bad_frames)
    return WrongAnswer("consumer-tests", name, source, "test_counts_up", says)


WRONG_ANSWERS = [
    three_tests(
        "one-add-per-connection",
        "two numbers on one connection",
        counts_up="""
    client = WebsocketCommunicator(consumer_app, "/")
    assert (await client.connect())[0]
    await client.send_json_to({"add": 2})
    assert await client.receive_json_from() == {"count": 2}
    await client.disconnect()
""",
    ),
    three_tests(
        "second-connection-never-checked",
        "open two WebsocketCommunicators",
        separately="""
    first = WebsocketCommunicator(consumer_app, "/")
    second = WebsocketCommunicator(consumer_app, "/")
    assert (await first.connect())[0] and (await second.connect())[0]
    await first.send_json_to({"add": 5})
    assert await first.receive_json_from() == {"count": 5}
    await first.disconnect()
    await second.disconnect()
""",
    ),
    three_tests(
        "bad-frames-sent-replies-unread",
        'read the reply and check it has an "error" key',
        bad_frames="""
    client = WebsocketCommunicator(consumer_app, "/")
    assert (await client.connect())[0]
    for frame in ["not JSON", '{"add": "1"}']:
        await client.send_to(text_data=frame)
    await client.disconnect()
""",
    ),
    three_tests(
        "exact-error-text",
        'The spec promises an "error" key, not its words',
        bad_frames=BAD_FRAMES.replace(
            'assert "error" in reply, f"{frame} got {reply}, not an error"',
            'assert reply == {"error": "bad frame"}',
        ),
    ),
    three_tests(
        "send-not-awaited",
        "called WebsocketCommunicator.send_json_to without await",
        counts_up=COUNTS_UP.replace("await client.send_json_to", "client.send_json_to"),
    ),
    three_tests(
        "never-connects",
        "sent a frame before connecting",
        counts_up=COUNTS_UP.replace(
            "    connected, _ = await client.connect()\n    assert connected\n", ""
        ),
    ),
]
test_wrong_answers_lose_points_in_a_kernel, test_wrong_answers_lose_points_in_batch = (
    wrong.tests_for(WRONG_ANSWERS)
)

# Each consumer's disconnect closes stale database connections in a worker thread; for
# pytest-django that is database access.
pytestmark = pytest.mark.django_db(transaction=True)


def model():
    return solution_namespace(NOTEBOOK, NAMES[0])


def graded(**replaced):
    """The model tests, with some replaced by the given functions."""
    namespace = {name: model()[name] for name in NAMES}
    namespace.update(replaced)
    return grade("consumer-tests", namespace, timeout=TIMEOUT)


# ---- wrong answers -------------------------------------------------------------------------


async def passes(consumer_app):
    """A test that tests nothing: it connects, and asserts nothing about the replies."""
    client = WebsocketCommunicator(consumer_app, "/")
    await client.connect()
    await client.disconnect()


def test_tests_that_assert_nothing_catch_nothing():
    report = graded(**dict.fromkeys(NAMES, passes))

    assert report.score.points == 1  # they do pass on the correct consumer
    assert status_of(report, CHECKS[0]) == "passed"
    for check in CATCHES:
        assert message_of(report, check).startswith("All three of your tests passed against")
    assert '{"add": 2} then {"add": 3}' in message_of(report, CHECKS[1])
    assert "open two WebsocketCommunicators" in message_of(report, CHECKS[2])
    assert 'check that the reply has an "error" key' in message_of(report, CHECKS[3])
    assert 'assert "error" in await client.receive_json_from()' in message_of(report, CHECKS[4])


def test_only_a_good_counting_test_catches_only_the_wrong_total():
    report = graded(test_connections_count_separately=passes, test_bad_frames_get_errors=passes)

    assert [r.status for r in report.results] == ["passed", "passed", "failed", "failed", "failed"]
    assert "a class attribute, not self.count" in message_of(report, CHECKS[2])
    assert "dies on one it cannot add" in message_of(report, CHECKS[3])
    assert "neither crashes nor answers with an error" in message_of(report, CHECKS[4])


async def expects_a_greeting(consumer_app):
    """Expects a reply to the connection itself, which the spec never promises: fails at once."""
    client = WebsocketCommunicator(consumer_app, "/")
    await client.connect()
    assert await client.receive_json_from(timeout=0.05) == {"count": 0}


async def counts_from_one(consumer_app):
    """Gets the spec wrong: expects the first {"add": 2} to give 3."""
    client = WebsocketCommunicator(consumer_app, "/")
    await client.connect()
    await client.send_json_to({"add": 2})
    assert await client.receive_json_from() == {"count": 3}


async def fails_always(consumer_app):
    raise AssertionError("not this one")


@pytest.mark.parametrize(
    ("wrong", "said"),
    [
        (counts_from_one, 'at `assert await client.receive_json_from() == {"count": 3}`'),
        (expects_a_greeting, "TimeoutError"),
        (fails_always, "AssertionError: not this one"),
    ],
    ids=["wrong-expectation", "own-short-timeout", "always-fails"],
)
def test_a_test_that_fails_on_the_correct_consumer_scores_nothing(wrong, said):
    report = graded(test_counts_up=wrong)

    assert report.score.points == 0
    first = message_of(report, CHECKS[0])
    assert first.startswith("test_counts_up failed against the correct CounterConsumer"), first
    assert said in first
    assert "compare what your test expects with the spec" in first
    for check in CATCHES:
        assert "failing here proves nothing" in message_of(report, check)


async def waits_for_silence(consumer_app):
    """Waits for a frame the correct consumer never sends, with receive_from's long default."""
    client = WebsocketCommunicator(consumer_app, "/")
    await client.connect()
    await client.send_to(text_data="not JSON")
    await client.receive_from()
    await client.receive_from()  # no second reply ever comes: 1 s, over the 0.4 s limit


async def sleeps(consumer_app):
    await asyncio.sleep(10)


@pytest.mark.parametrize("slow", [waits_for_silence, sleeps], ids=["receive", "sleep"])
def test_a_test_that_hangs_is_stopped_and_told_about_receive_nothing(slow):
    report = graded(test_bad_frames_get_errors=slow)

    assert report.score.points == 0
    first = message_of(report, CHECKS[0])
    assert first.startswith("test_bad_frames_get_errors did not finish within 0.4 s"), first
    assert "receive_nothing()" in first
    assert all(r.seconds < 1.5 for r in report.results), [r.seconds for r in report.results]


async def send_not_awaited(consumer_app):
    client = WebsocketCommunicator(consumer_app, "/")
    await client.connect()
    client.send_json_to({"add": 2})
    assert await client.receive_json_from(timeout=0.2) == {"count": 2}


async def never_connects(consumer_app):
    client = WebsocketCommunicator(consumer_app, "/")
    await client.send_json_to({"add": 2})
    assert await client.receive_json_from(timeout=0.2) == {"count": 2}


@pytest.mark.parametrize(
    ("wrong", "said"),
    [
        (send_not_awaited, "called WebsocketCommunicator.send_json_to without await"),
        (never_connects, "sent a frame before connecting"),
    ],
    ids=["send-not-awaited", "never-connects"],
)
def test_a_test_that_fails_by_its_own_fault_is_told_the_cause(wrong, said, recwarn):
    report = graded(test_counts_up=wrong)

    assert report.score.points == 0
    first = message_of(report, CHECKS[0])
    assert first.startswith("test_counts_up failed against the correct CounterConsumer."), first
    assert said in first, first
    assert not [w for w in recwarn if "never awaited" in str(w.message)]


def test_a_sync_test_function_is_refused_by_name():
    def test_counts_up(consumer_app):
        pass

    report = graded(test_counts_up=test_counts_up)

    assert report.score.points == 0
    assert "write `async def test_counts_up(consumer_app):`" in message_of(report, CHECKS[0])


def test_a_missing_test_is_named():
    namespace = {name: model()[name] for name in NAMES[:2]}
    report = grade("consumer-tests", namespace, timeout=TIMEOUT)

    assert report.score.points == 0
    assert "`test_bad_frames_get_errors` is not defined" in message_of(report, CHECKS[0])
