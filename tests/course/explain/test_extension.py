"""course/explain/extension.py: below each classic Channels error, its explanation and lesson link.

Every error here is real: real consumers and communicators, real channel layers, a real
Redis, daphne and Django's own WSGI server where the pain point needs one, all run as cells
of a real IPython shell set up by ``course.setup()``, as a notebook's first cell does.
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from IPython.core import async_helpers
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from traitlets.config import Config

import course
from course._paths import REPO_ROOT
from course.checking.stubs import Stub
from course.explain import catalog, unwritten
from course.explain import extension as explain
from tests.course.explain.cases import EXPLAINED, UNRELATED, Case

# Consumers close stale database connections in a worker thread around each handler: for
# pytest-django that is database access.
pytestmark = pytest.mark.django_db(transaction=True)

NAMED = re.compile(re.escape(explain.HEADING).replace(r"\{\}", r"(\d+)"))


@dataclass
class Ran:
    """One cell, run: its error, what it printed (the traceback), what it displayed."""

    error: str | None  # the exception's class name
    printed: str
    shown: list[dict[str, str]]

    def explanations(self) -> list[dict[str, str]]:
        return [out for out in self.shown if NAMED.search(out.get("text/plain", ""))]


Run = Callable[..., Ran]


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InteractiveShell]:
    """A real IPython shell, set up as a notebook's first cell does."""
    os.environ["IPYTHONDIR"] = str(tmp_path_factory.mktemp("ipython"))
    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    ip = InteractiveShell.instance(config=config)
    ip.run_cell("import course\ncourse.setup(migrate=False, quiet=True)")
    yield ip
    ip.extension_manager.unload_extension("course.explain")
    InteractiveShell.clear_instance()
    loop = async_helpers.get_asyncio_loop()
    loop.run_until_complete(_cancel(asyncio.all_tasks(loop)))  # consumers cells left running
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
    del os.environ["IPYTHONDIR"]


async def _cancel(tasks: set[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


@pytest.fixture
def run(shell: InteractiveShell) -> Run:
    def run_cell(source: str, **names: Any) -> Ran:
        shell.push(names)
        with capture_output() as captured:
            result = shell.run_cell(textwrap.dedent(source))
        shown = [{k: str(v) for k, v in out.data.items()} for out in captured.outputs]
        error = result.error_in_exec
        name = type(error).__name__ if error is not None else None
        return Ran(name, captured.stdout + captured.stderr, shown)

    return run_cell


def shows(ran: Ran, number: int, *, first: bool = True) -> None:
    """The cell failed, its traceback is intact, and below it ONE explanation names
    pain point *number* (first, if *first*) and links every lesson cell that teaches it."""
    assert ran.error is not None, "the cell did not fail"
    assert f"{ran.error}" in ran.printed, "the normal traceback is missing"
    found = ran.explanations()
    assert len(found) == 1, f"{len(found)} explanations shown, not 1: {ran.shown}"
    text, markup = found[0]["text/plain"], found[0]["text/html"]
    named = [int(n) for n in NAMED.findall(text)]
    assert number in named, f"pain point {number} not named; got {named}:\n{text}"
    if first:
        assert named[0] == number, f"pain point {number} is not named first: {named}"
    places = catalog.places()[number]
    for place in places:
        assert f'href="{html.escape(place.href())}"' in markup, place.href()
        assert place.href() in text
    assert "<script" not in markup


def nothing_shown(ran: Ran) -> None:
    assert ran.error is not None, "the cell did not fail"
    assert not ran.explanations(), f"an unrelated error was explained: {ran.shown}"


def test_setup_loads_the_explainer_once(shell: InteractiveShell, run: Run) -> None:
    run("course.setup(migrate=False, quiet=True)")
    assert "course.explain" in shell.extension_manager.loaded
    assert shell.events.callbacks["post_run_cell"].count(explain._after_cell) == 1
    shows(run("from channels.exceptions import ChannelFull\nraise ChannelFull('box')"), 17)


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case, marks=[pytest.mark.filterwarnings(f"ignore:{case.warns}")] * bool(case.warns)
        )
        for case in EXPLAINED
    ],
    ids=lambda case: f"{case.number}-{case.name}",
)
def test_a_classic_error_is_explained_below_its_traceback(run: Run, case: Case) -> None:
    for source in case.before:
        assert run(source).error is None, source
    try:
        shows(run(case.cell), case.number, first=case.first)
    finally:
        for source in case.after:
            run(source)


@pytest.mark.parametrize("case", UNRELATED, ids=lambda case: case.name)
def test_an_unrelated_error_is_left_alone(run: Run, case: Case) -> None:
    nothing_shown(run(case.cell))


def test_every_pain_point_has_a_rule_a_note_and_a_lesson() -> None:
    numbers = list(range(1, 26))
    assert sorted(explain.RULES) == [point.number for point in catalog.PAIN_POINTS] == numbers
    assert sorted(catalog.places()) == numbers


def test_the_explanation_is_escaped_html_with_a_text_twin() -> None:
    shown = explain.explain(ValueError("No handler for message type chat.message"))
    assert shown is not None and shown.numbers == [4]
    bundle = shown._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    assert '"chat.message"' in bundle["text/plain"]
    assert "&quot;chat.message&quot;" in bundle["text/html"]
    assert "<code>chat_message(self, event)</code>" in bundle["text/html"]


# ---- an exercise not written yet: no pain point, and "Not written yet" -----------------------

STUB = Stub("JobWorker.job_run(message)", "job-worker").message()


def not_written(ran: Ran) -> list[str]:
    return [
        out["text/plain"]
        for out in ran.shown
        if out.get("text/plain", "").startswith(unwritten.HEADING)
    ]


def test_a_cell_that_runs_a_stub_is_not_written_yet_and_no_pain_point(run: Run) -> None:
    ran = run(f"def job_run(message):\n    raise NotImplementedError({STUB!r})\n\njob_run({{}})")

    nothing_shown(ran)
    assert not_written(ran) == [
        "Not written yet: this cell ran JobWorker.job_run(message), which is still the "
        "exercise's stub. Write it where its cell says `# YOUR CODE HERE`, run that cell, "
        'then this one again. Stuck? Run hint("job-worker").'
    ]
    html_notes = [o["text/html"] for o in ran.shown if "Not written yet" in o.get("text/html", "")]
    assert "<code># YOUR CODE HERE</code>" in html_notes[0]


def test_a_timeout_behind_which_a_stub_died_in_a_task_is_not_written_yet(run: Run) -> None:
    """Lesson 10's try-it cell: the worker's task died of its stub; the cell waits in vain."""
    started = f"""
    import asyncio

    async def job_run():
        raise NotImplementedError({STUB!r})

    worker = asyncio.ensure_future(job_run())
    await asyncio.sleep(0.01)
    """
    waits = "await asyncio.wait_for(asyncio.sleep(1), 0.01)"
    assert run(started).error is None
    try:
        ran = run(waits)
        nothing_shown(ran)
        [note] = not_written(ran)
        assert note.startswith("Not written yet: `worker` stopped in the background on ")
        assert note.endswith('Stuck? Run hint("job-worker").')
    finally:
        run("del worker")
    assert not not_written(run(waits)), "with no stub behind it, a timeout is just a timeout"


def test_a_classic_error_that_a_stub_caused_names_no_pain_point() -> None:
    classic = ValueError("No handler for message type chat.message")
    assert explain.explain(classic) is not None
    classic.__cause__ = NotImplementedError(STUB)
    assert explain.explain(classic) is None
    assert unwritten.find(classic) == unwritten.NotWrittenYet(
        Stub("JobWorker.job_run(message)", "job-worker")
    )


# ---- errors that need a process: daphne, Redis, a fresh interpreter -------------------------


@pytest.mark.slow
def test_errors_against_a_real_daphne(run: Run) -> None:
    """3: the kernel's in-memory layer never reaches daphne's process; 6: no Origin, or
    another site's; 24: a proxy drops the Upgrade header."""
    server = course.serve(name="explain-demo")
    origin = server.url.rstrip("/")
    joined = run(
        """
        import asyncio
        from channels.layers import get_channel_layer
        from websockets.asyncio.client import connect

        ada = await connect(server.ws_url("ws/chat/explain/"), origin=origin)
        try:
            while True:  # the room's history and Ada's own arrival
                await asyncio.wait_for(ada.recv(), 0.3)
        except TimeoutError:
            pass
        """,
        server=server,
        origin=origin,
    )
    assert joined.error is None, joined.printed
    try:
        sent = """
        note = {"type": "chat.message", "user": "the notebook", "text": "anyone there?"}
        await get_channel_layer().group_send("chat.explain", note)
        await asyncio.wait_for(ada.recv(), 0.5)
        """
        shows(run(sent), 3)
    finally:
        run("await ada.close()")
    shows(run('await connect(server.ws_url("ws/echo/async/"))'), 6)  # no Origin
    shows(run('await connect(server.ws_url("ws/echo/async/"), origin="http://evil.example")'), 6)
    proxied = """
    from basics.revproxy import ReverseProxy

    naive = await ReverseProxy(server.port).start()
    try:
        await connect(naive.ws_url("ws/echo/async/"), origin=origin)
    finally:
        await naive.stop()
    """
    shows(run(proxied), 24)


@pytest.mark.slow
def test_a_browser_without_its_token_under_daphne(run: Run) -> None:
    security = course.serve("basics.security:application", name="explain-security")
    cell = """
    from websockets.asyncio.client import connect

    await connect(security.ws_url("ws/token/"), origin="http://127.0.0.1")
    """
    shows(run(cell, security=security), 21)


@pytest.fixture
def redis(run: Run) -> Iterator[Any]:
    """A real redis-server, and the cell's Redis layer config as ``config``."""
    server = course.start_redis(name="explain")
    config = server.channel_layer_config()["CONFIG"]
    assert run("from channels_redis.core import RedisChannelLayer", config=config).error is None
    yield server


@pytest.mark.slow
def test_a_layer_shared_with_another_event_loop(run: Run, redis: Any) -> None:
    shared = """
    import asyncio
    from asgiref.sync import async_to_sync

    layer = RedisChannelLayer(**config)
    inbox = await layer.new_channel()
    consumer = asyncio.ensure_future(layer.receive(inbox))  # a consumer waits for messages
    await asyncio.sleep(0.1)

    def ask_and_wait():  # sync code in another thread (a task, a view) shares the layer
        reply_to = async_to_sync(layer.new_channel)()
        return async_to_sync(layer.receive)(reply_to)
    """
    assert run(shared).error is None
    try:
        shows(run("await asyncio.wait_for(asyncio.to_thread(ask_and_wait), 5)"), 15)
    finally:
        run("consumer.cancel()\nawait layer.close_pools()")


@pytest.mark.slow
def test_a_redis_connection_that_outlived_its_event_loop(run: Run, redis: Any) -> None:
    first = """
    import asyncio

    shared = redis.client()

    def ping_in_a_new_loop():
        return asyncio.run(shared.ping())

    await asyncio.to_thread(ping_in_a_new_loop)
    """
    assert run(first, redis=redis).error is None
    shows(run("await asyncio.to_thread(ping_in_a_new_loop)"), 16)


@pytest.mark.slow
def test_a_new_layer_for_every_message_runs_out_of_connections(run: Run, redis: Any) -> None:
    limit = "admin = redis.client()\nawait admin.config_set('maxclients', 6)"
    assert run(limit, redis=redis).error is None
    leak = """
    made = []  # only for the clean-up below: the leak is one new layer per message
    for _ in range(20):
        made.append(RedisChannelLayer(**config))
        await made[-1].group_send("leaks", {"type": "note"})
    """
    try:
        shows(run(leak), 18)
    finally:
        run("for layer in made:\n    await layer.close_pools()\nawait admin.aclose()")


@pytest.mark.slow
def test_a_group_membership_that_expired(run: Run, redis: Any) -> None:
    expired = """
    import asyncio

    brief = RedisChannelLayer(**config, group_expiry=1)
    inbox = await brief.new_channel()
    await brief.group_add("clock", inbox)
    await asyncio.sleep(1.2)
    await brief.group_send("clock", {"type": "tick"})
    await asyncio.wait_for(brief.receive(inbox), 0.5)
    """
    try:
        shows(run(expired), 19)
    finally:
        run("await brief.close_pools()")


@pytest.mark.slow
def test_a_test_that_reads_what_an_earlier_test_left(run: Run, redis: Any) -> None:
    tests = """
    layer = RedisChannelLayer(**config)

    async def test_first():
        await layer.send("jobs", {"type": "job", "n": 1})
        await layer.send("jobs", {"type": "job", "n": 2})
        assert (await layer.receive("jobs"))["n"] == 1

    async def test_second():
        await layer.send("jobs", {"type": "job", "n": 3})
        job = await layer.receive("jobs")
        assert job["n"] == 3, job

    await test_first()
    await test_second()
    """
    try:
        shows(run(tests), 25)
    finally:
        run("await layer.close_pools()")


# A fresh interpreter: Django not yet set up (10), a test database of its own (23).
FRESH_SHELL = """
import json, sys
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

shell = InteractiveShell.instance(colors="nocolor")
ran = []
for cell in json.load(sys.stdin):
    with capture_output() as captured:
        error = shell.run_cell(cell).error_in_exec
    shown = [{k: str(v) for k, v in out.data.items()} for out in captured.outputs]
    name = type(error).__name__ if error is not None else None
    ran.append([name, captured.stdout + captured.stderr, shown])
print(json.dumps(ran))
"""
WRONG_ORDER = """
import os, sys

sys.path.insert(0, "demo_project")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import chat.routing  # consumers import models: too early
from django.core.asgi import get_asgi_application

application = get_asgi_application()
"""
LIVE_SERVER_TEST = """
from channels.testing import ChannelsLiveServerTestCase

class LiveChat(ChannelsLiveServerTestCase):
    def test_page(self):
        pass

LiveChat.setUpClass()
"""


@pytest.mark.slow
def test_errors_in_a_fresh_interpreter(tmp_path: Path) -> None:
    cells = [
        "%load_ext course.explain",
        WRONG_ORDER,
        "import course\ncourse.setup(migrate=False)\ncourse.setup(migrate=False)",
        LIVE_SERVER_TEST,
    ]
    # An in-memory SQLite database, as Django's test runner and pytest-django give tests.
    env = {**os.environ, "IPYTHONDIR": str(tmp_path), "DEMO_DB": ":memory:"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", FRESH_SHELL],
        input=json.dumps([textwrap.dedent(cell) for cell in cells]),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    loaded, wrong_order, setup, live_server = [Ran(*ran) for ran in json.loads(done.stdout)]
    assert loaded.error is None and setup.error is None, setup.printed
    assert setup.printed.count("Demo project ready") == 2
    shows(wrong_order, 10)
    shows(live_server, 23)


@pytest.mark.slow
def test_setup_leaves_a_plain_script_alone(tmp_path: Path) -> None:
    code = "import sys, course; course.setup(quiet=True); print('course.explain' in sys.modules)"
    env = {**os.environ, "DEMO_DB": str(tmp_path / "db.sqlite3")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
