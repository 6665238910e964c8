"""A class on a real hub (make hub), in Chromium: the instructor and three students log in,
each student checks exercise 01 twice (right, then wrong) and the instructor's open board
shows every result as it comes, without a reload. The board is the instructor's alone, a
wrong password logs nobody in, a student cannot reach another's server, files or demo, and lesson
08's side-by-side windows work through the student's own proxy route.
"""

import time
from collections.abc import Iterator
from urllib.parse import quote

import nbformat
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.lab_page import kernel_idle, run_all_cells
from tests.checks.helpers import SOLUTIONS_DIR, cell_defining
from tests.hub.hub_run import ADMIN, ADMIN_PASSWORD, PASSWORD, Hub

pytestmark = [pytest.mark.hub, pytest.mark.browser, pytest.mark.slow]

STUDENTS = ("ada", "grace", "linus")
EXERCISE = "greeting-app"
SCRATCH = "course/hub-check.ipynb"  # in each student's own copy of the course
WINDOWS = "course/hub-windows.ipynb"
RIGHT = cell_defining(SOLUTIONS_DIR / "01-asgi-in-one-function.ipynb", "greeting_app")
WRONG = RIGHT.replace("query.get('name', ['world'])[0]", "'world'")  # ignores ?name=


def scratch(hub: Hub, student: str, serve: bool) -> None:
    """Exercise 01's answer, checked; then a wrong one, checked; the first student serves too."""
    sources = [
        "import course\nfrom course import check\n\ncourse.setup(quiet=True)",
        RIGHT,
        f'check("{EXERCISE}")',
        WRONG,
        f'check("{EXERCISE}")',
    ]
    if serve:
        sources.append("server = course.serve()\nprint(server.proxy_url())")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, hub.home(student) / SCRATCH)


def log_in(browser: Browser, hub: Hub, name: str, password: str, next_url: str = "") -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login" + (f"?next={quote(next_url)}" if next_url else ""))
    page.locator("#username_input").fill(name)
    page.locator("#password_input").fill(password)
    page.locator("#login_submit").click()
    return page


@pytest.fixture(scope="module")
def board(browser: Browser, hub: Hub) -> Iterator[Page]:
    """The instructor's board, open (and live) before any student logs in."""
    page = log_in(browser, hub, ADMIN, ADMIN_PASSWORD, next_url="/services/board/")
    page.wait_for_url(f"{hub.url}/services/board/")
    expect(page.locator("#status")).to_have_text("live")
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def students(browser: Browser, hub: Hub) -> Iterator[dict[str, BrowserContext]]:
    """Each student logged in, on their own JupyterLab with lesson 00 open."""
    contexts = {}
    for student in STUDENTS:
        page = log_in(browser, hub, student, PASSWORD)
        page.wait_for_url(f"**/user/{student}/lab/tree/course/notebooks/00-*", timeout=120_000)
        tab = page.locator(".lm-TabBar-tab.jp-mod-current")
        expect(tab).to_contain_text("00-welcome-and-setup.ipynb", timeout=60_000)
        contexts[student] = page.context
    yield contexts
    for context in contexts.values():
        context.close()


def test_a_wrong_password_logs_nobody_in(browser: Browser, hub: Hub) -> None:
    for name, password in (("ada", "not-the-password"), (ADMIN, PASSWORD)):
        page = log_in(browser, hub, name, password)
        expect(page.locator(".login_error")).to_contain_text("Invalid username or password")
        assert page.context.request.get(f"{hub.url}/hub/api/user").status == 403
        page.context.close()


def test_each_check_reaches_the_open_board_live(
    board: Page, students: dict[str, BrowserContext], hub: Hub
) -> None:
    started = time.monotonic()
    for student, context in students.items():
        scratch(hub, student, serve=student == STUDENTS[0])
        page = context.pages[0]
        page.goto(f"{hub.url}/user/{student}/lab/tree/{SCRATCH}?reset")
        expect(page.locator(".jp-NotebookPanel .jp-CodeCell")).to_have_count(5 + (student == "ada"))
        kernel_idle(page)
        assert run_all_cells(page, 120) == []
        # The board, never reloaded: two tries, full marks once, the last one not.
        cell = board.locator(f'td[data-student="{student}"][data-exercise="{EXERCISE}"]')
        expect(cell).to_have_attribute("data-tries", "2")
        expect(cell).to_have_class("passed")
        assert cell.get_attribute("data-best") != cell.get_attribute("data-last")
    print(f"3 students × 2 checks on the board in {time.monotonic() - started:.1f} s")
    csv = board.context.request.get(f"{hub.url}/services/board/results.csv")
    assert csv.status == 200
    rows = csv.text().splitlines()
    assert rows[0].startswith("student,exercise,tries,best,last")
    assert sorted(r.split(",")[0] for r in rows[1:]) == sorted(STUDENTS)


def test_a_student_demo_opens_through_their_own_proxy_only(
    students: dict[str, BrowserContext], hub: Hub
) -> None:
    ada, grace = students["ada"].pages[0], students["grace"].pages[0]
    printed = ada.locator(".jp-OutputArea-output").filter(has_text="/user/ada/proxy/").last
    link = printed.inner_text().strip()
    assert link.startswith("/user/ada/proxy/") and link.endswith("/"), link
    assert ada.context.request.get(f"{hub.url}{link}").status == 200
    assert grace.context.request.get(f"{hub.url}{link}", max_redirects=5).status == 403


def test_the_board_is_the_instructors_alone(students: dict[str, BrowserContext], hub: Hub) -> None:
    page = students["grace"].new_page()
    response = page.goto(f"{hub.url}/services/board/")
    assert response is not None and response.status == 403
    api = students["grace"].request.get(f"{hub.url}/services/board/results.csv")
    assert api.status == 403
    page.close()


def test_a_student_cannot_open_another_students_server(
    students: dict[str, BrowserContext], hub: Hub
) -> None:
    grace = students["grace"]
    for path in ("lab", "api/contents/course", "files/course/README.md"):
        response = grace.request.get(f"{hub.url}/user/ada/{path}")
        assert response.status == 403, (path, response.status, response.url)


def test_lesson_08s_windows_open_through_the_students_own_proxy(
    students: dict[str, BrowserContext], hub: Hub
) -> None:
    """Two demo servers side by side, as lesson 08 shows them: each window's chat page
    connects its WebSocket through /user/ada/proxy/PORT/, the hub's route to ada's server."""
    sources = [
        'import course\n\ncourse.setup(quiet=True)\na = course.serve(name="a")\n'
        'b = course.serve(name="b")',
        'course.side_by_side(a, b, path="chat/hub-windows/")',
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, hub.home("ada") / WINDOWS)
    page = students["ada"].new_page()
    page.goto(f"{hub.url}/user/ada/lab/tree/{WINDOWS}?reset")
    expect(page.locator(".jp-NotebookPanel .jp-CodeCell")).to_have_count(2)
    kernel_idle(page)
    assert run_all_cells(page, 120) == []
    windows = page.locator(".course-side-by-side figure")
    expect(windows).to_have_count(2)
    for i in range(2):
        status = windows.nth(i).frame_locator("iframe").locator("#status")
        expect(status).to_contain_text("Connected to /user/ada/proxy/")
    page.close()
