"""Redirects stay inside jupyter-server-proxy's prefix: their Location is relative."""

import pytest
from django.test import AsyncClient

from config.middleware import relative_location


@pytest.mark.parametrize(
    ("current", "location", "expected"),
    [
        ("/chat/lobby", "/chat/lobby/", "lobby/"),
        ("/accounts/login/", "/", "../../"),
        ("/accounts/login/", "/chat/lobby/", "../../chat/lobby/"),
        ("/", "/", "./"),
        ("/admin", "/admin/", "admin/"),
        ("/admin/", "/admin/login/?next=/admin/", "login/?next=/admin/"),
    ],
)
def test_relative_location(current: str, location: str, expected: str) -> None:
    assert relative_location(current, location) == expected


@pytest.mark.django_db
async def test_append_slash_redirect_is_relative() -> None:
    response = await AsyncClient().get("/chat/lobby")
    assert response.status_code == 301
    assert response["Location"] == "lobby/"


@pytest.mark.django_db
async def test_login_redirect_is_relative(django_user_model) -> None:
    await django_user_model.objects.acreate_user(username="ada", password="pw")
    response = await AsyncClient().post("/accounts/login/", {"username": "ada", "password": "pw"})
    assert response.status_code == 302
    assert response["Location"] == "../../"


def test_other_sites_are_left_alone() -> None:
    # Django rejects an unsafe `next`, so the check is on the middleware directly.
    from django.http import HttpResponseRedirect
    from django.test import RequestFactory

    from config.middleware import RelativeRedirectMiddleware

    request = RequestFactory().get("/accounts/login/")
    middleware = RelativeRedirectMiddleware(lambda r: None)
    for target in ("https://example.org/x", "//example.org/x"):
        response = middleware.process_response(request, HttpResponseRedirect(target))
        assert response["Location"] == target
