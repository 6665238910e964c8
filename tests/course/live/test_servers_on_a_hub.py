"""Behind a hub's proxy the demo sees the hub's Host header; it must still answer."""

import httpx
import pytest

from course.live.servers import serve

pytestmark = pytest.mark.slow


@pytest.fixture
def binder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada-abc123/")
    for name in ("JUPYTERHUB_PUBLIC_URL", "JUPYTERHUB_HOST", "DEMO_ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)


def test_a_proxied_request_with_the_hub_host_is_served(binder: None) -> None:
    with serve(name="hub-host") as server:
        r = httpx.get(server.url + "api/v1/data", headers={"host": "hub.example.mybinder.org"})
    assert r.status_code == 200, r.text


def test_outside_a_hub_a_foreign_host_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_PUBLIC_URL", "JUPYTERHUB_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("DEMO_ALLOWED_HOSTS", raising=False)
    with serve(name="local-host") as server:
        r = httpx.get(server.url + "api/v1/data", headers={"host": "evil.example.org"})
    assert r.status_code == 400  # DisallowedHost
