"""chat.views and the templates: relative links, room-name rules, login, no XSS."""

import re
from pathlib import Path

import pytest
from django.test import AsyncClient

TEMPLATES = Path(__file__).resolve().parents[2] / "demo_project" / "chat" / "templates"
ROOM_TEMPLATE = TEMPLATES / "chat" / "room.html"


@pytest.fixture
def client():
    return AsyncClient()


def assert_links_are_relative(html):
    """Behind jupyter-server-proxy the site lives under /proxy/PORT/: no link may start with /."""
    absolute = re.findall(r'(?:href|action|src)="(/[^"]*|[a-z]+://[^"]*)"', html)
    assert absolute == [], f"absolute links break behind a proxy: {absolute}"


async def test_index_lists_rooms_with_relative_links(client):
    response = await client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="chat/lobby/"' in html
    assert 'href="chat/private-staff/"' in html
    assert '<form method="get" action="">' in html
    assert "Not logged in" in html
    assert 'href="./accounts/login/?next=../../"' in html
    assert_links_are_relative(html)


@pytest.mark.parametrize("name", ["lobby", "my.room_2-b", "x" * 50])
async def test_index_form_redirects_relatively_to_the_room(client, name):
    response = await client.get("/", {"room": f" {name} "})

    assert response.status_code == 302
    assert response["Location"] == f"chat/{name}/"


@pytest.mark.parametrize("name", ["bad room", "x" * 51, "..", "café", "a/b"])
async def test_index_form_rejects_bad_room_names(client, name):
    response = await client.get("/", {"room": name})

    assert response.status_code == 400
    assert "1 to 50 letters" in response.content.decode()


async def test_index_escapes_what_the_user_typed(client):
    response = await client.get("/", {"room": "<script>alert(1)</script>"})

    html = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


async def test_room_page_passes_the_name_with_json_script(client):
    response = await client.get("/chat/lobby/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<script id="room-name" type="application/json">"lobby"</script>' in html
    assert "Room <code>lobby</code>" in html
    assert 'href="../../"' in html
    assert 'href="../../accounts/login/?next=../../chat/lobby/"' in html
    assert "private" not in html.split("<main>")[1].split("<script")[0]
    assert_links_are_relative(html)


async def test_room_page_builds_the_websocket_url_relative_to_the_page(client):
    html = (await client.get("/chat/lobby/")).content.decode()

    assert (
        'new URL("../../ws/chat/" + encodeURIComponent(room) + "/", window.location.href)' in html
    )
    assert 'url.protocol === "https:" ? "wss:" : "ws:"' in html
    assert "ws://" not in html
    assert "location.host" not in html


def test_room_template_never_renders_html_from_strings():
    source = ROOM_TEMPLATE.read_text()
    for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("]:
        assert sink not in source, f"{sink} can run markup from a chat message"
    assert "textContent" in source
    assert "createTextNode" in source


def test_no_template_uses_absolute_links():
    for template in TEMPLATES.rglob("*.html"):
        assert_links_are_relative(template.read_text())


@pytest.mark.parametrize(
    "path",
    ["/chat/" + "x" * 51 + "/", "/chat/bad%20room/", "/chat/%3Cscript%3E/", "/chat/caf%C3%A9/"],
)
async def test_room_page_for_an_invalid_name_is_404(client, path):
    response = await client.get(path)
    assert response.status_code == 404
    assert b"<script>" not in response.content


async def test_private_room_page_asks_anonymous_users_to_log_in(client):
    html = (await client.get("/chat/private-staff/")).content.decode()
    assert "This room is private" in html
    assert "4401" in html


@pytest.mark.django_db(transaction=True)
async def test_private_room_page_for_a_logged_in_user(client, user):
    await client.aforce_login(user)

    html = (await client.get("/chat/private-staff/")).content.decode()

    assert "This room is private" not in html
    assert "Logged in as <strong>alice</strong>" in html
    assert 'action="../../accounts/logout/"' in html


async def test_login_page_uses_the_course_template_with_a_relative_next(client):
    response = await client.get("/accounts/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Log in</h1>" in html
    assert '<input type="hidden" name="next" value="../../">' in html
    assert_links_are_relative(html)

    html = (await client.get("/accounts/login/?next=../../chat/lobby/")).content.decode()
    assert '<input type="hidden" name="next" value="../../chat/lobby/">' in html


@pytest.mark.django_db(transaction=True)
async def test_logging_in_and_out_through_the_pages(client, user, password):
    response = await client.post(
        "/accounts/login/", {"username": "alice", "password": password, "next": "../../chat/lobby/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "../../chat/lobby/"
    assert "Logged in as <strong>alice</strong>" in (await client.get("/")).content.decode()

    response = await client.post("/accounts/logout/", {"next": "../../"})
    assert response.status_code == 302
    assert response["Location"] == "../../"
    assert "Not logged in" in (await client.get("/")).content.decode()


@pytest.mark.django_db(transaction=True)
async def test_wrong_password_shows_an_error(client, user):
    response = await client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "did not match" in response.content.decode()


async def test_the_form_checks_the_same_room_rule_as_the_server(client):
    from chat.consumers import ROOM_NAME

    html = (await client.get("/")).content.decode()
    pattern = re.search(r'pattern="([^"]+)"', html)[1]
    assert pattern.replace("\\-", "-") == ROOM_NAME


async def test_pages_may_be_framed_by_their_own_origin_only(client):
    # course.side_by_side() frames the room page through Jupyter's proxy: the same origin.
    response = await client.get("/chat/lobby/")
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
