"""Every exercise, both ways: the solution scores full marks, the released stub scores 0.

The answer comes from the solutions notebook itself, and the stub from the same cell as
release turns it into an exercise, so these tests follow the notebooks. Each lesson's
wrong answers, and why each is told what it is told, are in tests/checks/test_<lesson>.py.
"""

import asyncio
import inspect
from dataclasses import dataclass

import pytest
from channels.layers import InMemoryChannelLayer

from chat.models import Message
from course.checking.runner import DEFAULT_TIMEOUT
from course.checks import EXERCISES, grade
from course.checks._support.middleware import Inner
from tests.checks.helpers import (
    SOLUTIONS_DIR,
    assert_full_marks,
    assert_not_written_yet,
    cell_defining,
    messages,
    one_stub,
    regions,
    solution_namespace,
    stub_namespace,
)


@dataclass(frozen=True)
class BothWays:
    """What one exercise is worth, and how its released stub shows itself."""

    points: int
    calls: tuple[str, ...] = ()  # calls into the stub (run in its namespace): NotImplementedError
    said: tuple[str, ...] = ()  # in every message of the stub's report, beside hint("name")
    timeout: float = DEFAULT_TIMEOUT
    within: float | None = None  # seconds each of the stub's checks may take
    db: bool = False  # the checks touch the database (from a worker thread)
    no_rows: bool = False  # the checks must delete every chat Message they wrote


# One line per exercise of course/checks/registry.py (test_every_exercise_is_here says so).
EXERCISE_TESTS: dict[str, BothWays] = {
    "greeting-app": BothWays(4, ("greeting_app(None, None, None)",), timeout=1.0),
    "call-by-hand": BothWays(4, ("call_app(None, None)",), timeout=1.0),
    "body-echo": BothWays(4, ("echo_app(None, None, None)",)),
    "streaming-response": BothWays(4, ("stream_app(None, None, None)",)),
    "upper-echo": BothWays(5, ("upper_echo(None, None, None)",)),
    "json-commands": BothWays(7, db=True),
    "request-id": BothWays(
        6,
        ("RequestIdMiddleware(Inner())({'type': 'http'}, None, None)",),
        said=("write RequestIdMiddleware.__call__(scope, receive, send) where",),
        timeout=1.0,
    ),
    # Consumers close stale database connections in a worker thread when they end.
    "seed-stack": BothWays(
        6,
        ("make_websocket_urlpatterns()", "make_application([])"),
        said=("write make_websocket_urlpatterns() where",),
        db=True,
    ),
    "room-consumer": BothWays(
        5, ("RoomConsumer().connect()",), ("write RoomConsumer.connect() where",), db=True
    ),
    # The stub of connect, the first thing every check runs.
    "room-history": BothWays(4, said=("HistoryConsumer.connect()",), db=True, no_rows=True),
    "cross-process-broadcast": BothWays(
        7,
        ("patient_layers({})", "broadcast(InMemoryChannelLayer(), 'lobby', 'hi')"),
        db=True,  # the demo's ChatConsumer reads the room's history on connect
    ),
    "job-worker": BothWays(
        4, ("JobWorker().job_run({})",), ("write JobWorker.job_run(message) where",), db=True
    ),
    # A dead bot is noticed at once, not after the 2 s a check may wait.
    "bot-commands": BothWays(
        7,
        ("Bot().chat_connect({'type': 'chat.connect'})",),
        ("write Bot.chat_connect(event) where",),
        within=1.0,
        db=True,
    ),
    "consumer-tests": BothWays(5, db=True),
    "token-auth": BothWays(
        7,
        ("TokenAuthMiddleware(Inner())({'type': 'websocket'}, None, None)",),
        ("TokenAuthMiddleware.__call__(scope, receive, send)",),
    ),
}
# What the calls above use besides the stub.
GIVEN = {"Inner": Inner, "InMemoryChannelLayer": InMemoryChannelLayer}


def needs(exercise) -> list[str]:
    """The notebook names the exercise's checks read, in order."""
    return list(dict.fromkeys(name for check in exercise for name in check.needs))


def answer(exercise, cell_namespace) -> dict:
    """What the notebook defines for ``exercise``: each name from the one cell defining it."""
    notebook = SOLUTIONS_DIR / f"{exercise.lesson}.ipynb"
    namespace: dict = {}
    for name in needs(exercise):
        if name not in namespace:  # several names may share a cell: run it once
            namespace.update(cell_namespace(notebook, name))
    return {name: namespace[name] for name in needs(exercise)}


def graded(exercise, namespace):
    return grade(exercise.name, namespace, timeout=EXERCISE_TESTS[exercise.name].timeout)


EACH_EXERCISE = [
    pytest.param(
        EXERCISES.get(name),
        spec,
        id=name,
        marks=[pytest.mark.django_db(transaction=True)] if spec.db else [],
    )
    for name, spec in EXERCISE_TESTS.items()
]


def test_every_exercise_is_here():
    assert set(EXERCISE_TESTS) == set(EXERCISES), "add each new exercise to EXERCISE_TESTS"


@pytest.mark.parametrize(("exercise", "spec"), EACH_EXERCISE)
def test_the_solution_gets_full_marks(exercise, spec):
    report = graded(exercise, answer(exercise, solution_namespace))

    assert_full_marks(report, spec.points, checks=[check.name for check in exercise])
    assert repr(report.score) == f"{spec.points}/{spec.points} points"
    if spec.no_rows:
        assert Message.objects.count() == 0  # every check deleted what it wrote


@pytest.mark.parametrize(("exercise", "spec"), EACH_EXERCISE)
def test_the_released_stub_gets_nothing_and_is_not_written_yet(exercise, spec):
    namespace = answer(exercise, stub_namespace)
    for call in spec.calls:
        with pytest.raises(NotImplementedError, match=rf'Stuck\? Run hint\("{exercise.name}"\)$'):
            called = eval(call, {**GIVEN, **namespace})  # the stub really is a stub
            if inspect.iscoroutine(called):
                asyncio.run(called)

    report = graded(exercise, namespace)

    assert_not_written_yet(report, *spec.said, within=spec.within)
    if spec.no_rows:
        assert Message.objects.count() == 0


def one_stub_at_a_time(exercise):
    """(region, namespace) for each solution region of the exercise: that region released
    as a stub, every other one solved: a student who has written all but one part."""
    notebook = SOLUTIONS_DIR / f"{exercise.lesson}.ipynb"
    sources = list(dict.fromkeys(cell_defining(notebook, name) for name in needs(exercise)))
    for at, source in enumerate(sources):
        for region in range(regions(source)):
            namespace: dict = {}
            for other in sources:  # in notebook order, each cell once
                keep = region if other is source else -1
                exec(compile(one_stub(other, keep, exercise.name), "<cell>", "exec"), namespace)
            yield f"cell {at + 1}, region {region + 1}", namespace


@pytest.mark.parametrize(("exercise", "spec"), EACH_EXERCISE)
def test_a_part_not_written_yet_says_so_wherever_it_shows(exercise, spec):
    """Every check a missing part makes fail says "not written yet", never a bare timeout or a
    lost connection (lesson 10's worker and lesson 11's bot die of it in a task of their own)."""
    for where, namespace in one_stub_at_a_time(exercise):
        report = graded(exercise, {name: namespace[name] for name in needs(exercise)})

        assert not report.score.full, f"{where}: a missing part still scored {report.score!r}"
        for r in report.results:
            if not r.passed:
                assert r.message.startswith("not written yet: write "), (where, messages(report))
                assert f'hint("{exercise.name}")' in r.message, (where, r.message)
        if spec.no_rows:
            assert Message.objects.count() == 0
