"""course.setup() (course/session.py): a lesson's first cell boots the fork server in the
background, unless the lesson starts no server."""

import re
import time

import nbformat
import psutil
import pytest

import course
from course.authoring import nbrun
from course.live import forkserver
from course.live.servers import serve
from tests.course.helpers import ECHO_APP

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fresh_fork_server")]


def test_setup_boots_the_fork_server_before_any_server_starts():
    course.setup(migrate=False, quiet=True)
    deadline = time.monotonic() + 30
    while forkserver.pid() is None:
        assert time.monotonic() < deadline, "setup() did not boot the fork server"
        time.sleep(0.05)
    assert psutil.Process(forkserver.pid()).name() == "forkserver"
    started = time.perf_counter()
    server = serve(ECHO_APP)
    assert psutil.Process(server.pid).ppid() == forkserver.pid()
    # a fork, not a boot: far under what booting takes (~0.5 s idle, ~2 s on a busy host)
    assert time.perf_counter() - started < 5


def test_a_lesson_without_servers_keeps_the_memory():
    course.setup(servers=False, migrate=False, quiet=True)
    time.sleep(0.5)
    assert forkserver.pid() is None


def test_a_failing_cell_shows_a_plain_traceback_unless_the_student_chose_a_mode(tmp_path):
    cells = [
        "import course\ncourse.setup(servers=False)",
        "from chat.models import Message\nMessage.objects.count()",  # sync ORM in the loop
        "%xmode Verbose",
        "course.setup(servers=False)",
        "Message.objects.count()",
    ]
    notebook = nbformat.v4.new_notebook()
    for source in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = ["raises-exception"]
        notebook.cells.append(cell)
    path = tmp_path / "plain.ipynb"
    nbformat.write(notebook, path)

    run = nbrun.run(path)

    def traceback(number: int) -> str:
        (error,) = [o for o in run.nb.cells[number - 1].outputs if o.output_type == "error"]
        assert error.ename == "SynchronousOnlyOperation"
        return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.traceback))

    plain, verbose = traceback(2), traceback(5)
    assert plain.startswith("Traceback (most recent call last):"), plain[:300]
    assert "---->" not in plain and "Message.objects.count()" in plain
    assert "---->" in verbose  # Verbose, as the student asked: setup() leaves it
