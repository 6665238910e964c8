"""Logging in through a hub's https proxy, against a real daphne: the CSRF check must see
the browser's https origin (X-Forwarded-Proto) and accept the hub's unknown host."""

import os
import re
import subprocess
import sys

import httpx
import pytest

from course._paths import DEMO_DIR
from course.live.servers import serve

pytestmark = pytest.mark.slow
HUB = "hub.example.org"


@pytest.fixture(scope="module")
def hub_server(tmp_path_factory):
    """The demo as the toolkit starts it on Binder (any host), with one user, ada."""
    env = {"DEMO_DB": str(tmp_path_factory.mktemp("hub") / "db.sqlite3")}
    full = {**os.environ, **env, "DJANGO_SUPERUSER_PASSWORD": "pw"}
    for command in (
        ["migrate"],
        ["createsuperuser", "--username", "ada", "--email", "ada@example.org"],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *command, "--noinput"],
            cwd=DEMO_DIR, env=full, check=True, capture_output=True,
        )  # fmt: skip
    with serve(name="hub-login", env={**env, "DEMO_ALLOWED_HOSTS": "*"}) as server:
        yield server


def log_in(server, forwarded_proto: str | None) -> httpx.Response:
    """Fetch the login form and post it, as a browser on https://HUB would through the proxy."""
    headers = {"host": HUB, **({"x-forwarded-proto": forwarded_proto} if forwarded_proto else {})}
    with httpx.Client(base_url=server.url, headers=headers) as client:
        page = client.get("accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, f"no CSRF token in the login page ({page.status_code})"
        form = {"username": "ada", "password": "pw", "csrfmiddlewaretoken": token[1]}
        return client.post("accounts/login/", data=form, headers={"origin": f"https://{HUB}"})


def test_login_through_an_https_hub_passes_the_csrf_check(hub_server) -> None:
    response = log_in(hub_server, forwarded_proto="https")
    assert response.status_code == 302, response.text[:300]
    assert response.headers["location"] == "../../"


def test_without_the_forwarded_scheme_the_origin_mismatch_is_refused(hub_server) -> None:
    response = log_in(hub_server, forwarded_proto=None)
    assert response.status_code == 403
    assert "CSRF" in response.text
