"""Lesson 08's checks on wrong answers: each one fails, and is told why.

Each wrong answer is the model ``patient_layers`` or ``broadcast`` (from the solutions
notebook) with one realistic mistake, so it fails for exactly that mistake. No Redis is
needed: the checks read the layers Channels would build, and send through an in-memory
layer. The solution's full marks and the released stub's zero are tested in
test_both_ways.py.
"""

import copy
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from channels.layers import channel_layers

from course.checks import grade
from course.checks.scaling_out_with_redis import cross_process_broadcast
from tests.checks import wrong
from tests.checks.helpers import (
    SOLUTIONS_DIR,
    failing,
    messages,
    solution_namespace,
)
from tests.checks.wrong import WrongAnswer

NOTEBOOK = SOLUTIONS_DIR / "08-one-redis-between-servers.ipynb"
EXERCISE = "cross-process-broadcast"
CHECKS = [check.name for check in cross_process_broadcast]
SETTING_CHECKS = CHECKS[:5]
BROADCAST_CHECKS = CHECKS[5:]
MODEL = {
    **solution_namespace(NOTEBOOK, "patient_layers"),
    **solution_namespace(NOTEBOOK, "broadcast"),
}

# The ChatConsumer reads the room's history from the demo database on connect.
pytestmark = pytest.mark.django_db(transaction=True)


# ---- what students write: graded in a kernel through check() and in batch (wrong.py) -------

PATIENT_LAYERS = """
import copy
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDIS = "channels_redis.core.RedisChannelLayer"
PATIENT = 30


def patient_layers(channel_layers):
{body}"""
# The model's own way with one URL, for the answers whose mistake lies elsewhere.
PATIENT_URL = """
    def patient(url):
        parts = urlsplit(url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "socket_timeout"]
        query.append(("socket_timeout", str(PATIENT)))
        return urlunsplit(parts._replace(query=urlencode(query)))
"""
EACH_HOST = """
    for alias in {aliases}:
        if alias["BACKEND"] == REDIS:
            hosts = alias["CONFIG"]["hosts"]
            for i, host in enumerate(hosts{first}):
                if isinstance(host, dict):
                    hosts[i] = {{**host, "address": {fix}(host["address"])}}
                else:
                    hosts[i] = {fix}(host)
"""


def patient_layers(name, says, body):
    """A WrongAnswer: the exercise's cell with ``body`` as the function's body."""
    return WrongAnswer(EXERCISE, name, PATIENT_LAYERS.format(body=body), "patient_layers", says)


def each_host(aliases="fixed.values()", first="", fix="patient", copy="copy.deepcopy"):
    """A body that fixes every host (``first``: a slice of them) of ``aliases`` with ``fix``."""
    start = f"    fixed = {copy}(channel_layers)\n" if copy else "    fixed = channel_layers\n"
    loop = EACH_HOST.format(aliases=aliases, first=first, fix=fix)
    return PATIENT_URL + start + loop + "    return fixed\n"


def appended(suffix):
    """A ``fix`` that adds ``suffix`` to the end of every URL."""
    return f"(lambda url: url + {suffix!r})"


EVENT = '{"type": "chat.message", "user": "server", "text": text}'


def broadcast(name, says, body):
    """A WrongAnswer: ``async def broadcast(layer, room, text)`` with ``body``."""
    source = f"async def broadcast(layer, room, text):\n    {body}\n"
    return WrongAnswer(EXERCISE, name, source, "broadcast", says)


# A full submission of this lesson starts a Redis and a daphne (some ten seconds in batch):
# these go through check() in a kernel and through the grader; MORE_WRONG_ANSWERS only
# through the checks, in this process (test_each_wrong_answer_...).
WRONG_ANSWERS = [
    patient_layers(
        "second-question-mark",
        "A URL has one '?'",
        each_host(fix=appended("?socket_timeout=30")),
    ),
    patient_layers(
        "dict-key-only",
        "redis-py lets the URL's query win over the other keys",
        """
    fixed = copy.deepcopy(channel_layers)
    for alias in fixed.values():
        if alias["BACKEND"] == REDIS:
            hosts = alias["CONFIG"]["hosts"]
            for i, host in enumerate(hosts):
                if isinstance(host, dict):
                    host["socket_timeout"] = PATIENT
                else:
                    hosts[i] = {"address": host, "socket_timeout": PATIENT}
    return fixed
""",
    ),
    patient_layers(
        "timeout-added-twice",
        "redis-py reads the first: replace the value that is there",
        each_host(fix="""(lambda url: url + ("&" if "?" in url else "?") + "socket_timeout=30")"""),
    ),
    broadcast(
        "group-send-not-awaited",
        "called layer.group_send without await",
        f'layer.group_send(f"chat.{{room}}", {EVENT})',
    ),
    broadcast(
        "group-without-prefix",
        "joins the group 'chat.' + room",
        f"await layer.group_send(room, {EVENT})",
    ),
]
MORE_WRONG_ANSWERS = [
    patient_layers("shallow-copy", "still shares the inner dicts", each_host(copy="dict")),
    broadcast(
        "the-default-layer",
        "Send through the `layer` argument",
        "from channels.layers import get_channel_layer\n\n"
        f'    await get_channel_layer().group_send(f"chat.{{room}}", {EVENT})',
    ),
    patient_layers(
        "ampersand-without-a-query",
        "part of the path, where redis-py looks for the database number",
        each_host(fix=appended("&socket_timeout=30")),
    ),
    patient_layers(
        "urls-only",
        "A host is a URL string, or a dict whose 'address' is the URL",
        PATIENT_URL
        + """
    fixed = copy.deepcopy(channel_layers)
    for alias in fixed.values():
        if alias["BACKEND"] == REDIS:
            alias["CONFIG"]["hosts"] = [patient(url) for url in alias["CONFIG"]["hosts"]]
    return fixed
""",
    ),
    patient_layers("fixed-in-place", "fix a copy", each_host(copy="")),
    patient_layers(
        "the-default-alias-only",
        "Fix every host of every Redis alias",
        each_host("[fixed['default']]"),
    ),
    patient_layers(
        "the-first-host-only", "Fix every host of every Redis alias", each_host(first="[:1]")
    ),
    broadcast(
        "send-to-a-channel",
        "layer.send() addresses one channel",
        f'await layer.send(f"chat.{{room}}", {EVENT})',
    ),
    broadcast(
        "handler-name-as-type",
        "the event's type is 'chat_message'",
        f'await layer.group_send(f"chat.{{room}}", {EVENT.replace(".message", "_message")})',
    ),
    broadcast(
        "async-to-sync-in-async",
        "In async code await layer.group_send(...) directly",
        "from asgiref.sync import async_to_sync\n\n"
        f'    async_to_sync(layer.group_send)(f"chat.{{room}}", {EVENT})',
    ),
]
test_wrong_answers_lose_points_in_a_kernel, test_wrong_answers_lose_points_in_batch = (
    wrong.tests_for(WRONG_ANSWERS)
)


def graded(**answer):
    return grade(EXERCISE, {**MODEL, **answer})


def test_hosts_made_dicts_that_wait_for_ever_are_right_too():
    """Another right answer: every host a dict, its URL's socket_timeout gone, its own None."""

    def patient(host):
        host = dict(host) if isinstance(host, dict) else {"address": host}
        parts = urlsplit(host["address"])
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "socket_timeout"])
        return {**host, "address": urlunsplit(parts._replace(query=query)), "socket_timeout": None}

    def for_ever(channel_layers):
        fixed = copy.deepcopy(channel_layers)
        for alias in fixed.values():
            if alias["BACKEND"] == "channels_redis.core.RedisChannelLayer":
                alias["CONFIG"]["hosts"] = [patient(h) for h in alias["CONFIG"]["hosts"]]
        return fixed

    report = graded(patient_layers=for_ever)

    assert report.score.full, messages(report)


def test_the_relay_check_leaves_no_layer_behind():
    before = set(channel_layers.backends)

    assert graded().score.full
    assert set(channel_layers.backends) == before


@pytest.mark.parametrize(
    "answer", WRONG_ANSWERS + MORE_WRONG_ANSWERS, ids=lambda answer: answer.name
)
def test_each_wrong_answer_fails_in_its_own_part_and_says_why(answer):
    namespace: dict = {}
    exec(compile(answer.cell, answer.name, "exec"), namespace)

    report = graded(**{answer.replaces: namespace[answer.replaces]})

    wrong = failing(report)
    part = SETTING_CHECKS if answer.replaces == "patient_layers" else BROADCAST_CHECKS
    assert wrong and set(wrong) <= set(part), messages(report)
    assert {r.status for r in report.results if not r.passed} == {"failed"}, messages(report)
    assert any(answer.says in message for message in wrong.values()), messages(report)


async def underscored_type(layer, room, text):
    await layer.group_send(f"chat.{room}", {"type": "chat_message", "user": "server", "text": text})


async def the_frame_type(layer, room, text):
    await layer.group_send(f"chat.{room}", {"type": "message", "user": "server", "text": text})


async def waits_for_an_answer(layer, room, text):
    await MODEL["broadcast"](layer, room, text)
    await layer.receive(await layer.new_channel())


async def sends_twice(layer, room, text):
    await MODEL["broadcast"](layer, room, text)
    await MODEL["broadcast"](layer, room, text)


def not_async(layer, room, text):
    layer.group_send(f"chat.{room}", {"type": "chat.message", "user": "server", "text": text})


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (underscored_type, "the event's type is 'chat_message'"),
        (the_frame_type, "'message' is the type of the frame"),
        (waits_for_an_answer, "did not return within 0.5 s"),
        (sends_twice, "called group_send 2 times: once reaches all"),
        (not_async, "called layer.group_send without await"),
    ],
    ids=lambda value: value.__name__ if callable(value) else None,
)
def test_a_wrong_broadcast_fails_both_broadcast_checks_and_says_why(answer, fragment):
    report = graded(broadcast=answer)

    wrong = failing(report)
    assert set(wrong) == set(BROADCAST_CHECKS), messages(report)
    assert {r.status for r in report.results if not r.passed} == {"failed"}, messages(report)
    for message in wrong.values():
        assert fragment in message, message


def test_a_missing_await_is_named_with_the_call_and_never_warns(recwarn):
    report = graded(broadcast=not_async)

    message = failing(report)["reaches_the_group"]
    assert "layer.group_send('chat.lobby', {'type': 'chat.message'" in message
    assert "Write await layer.group_send(...)" in message
    assert not [w for w in recwarn if "never awaited" in str(w.message)]
