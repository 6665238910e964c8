"""Behind a hub's proxy the demo sees the hub's Host header; it must still answer."""

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from course.live import links
from course.live.servers import serve

pytestmark = pytest.mark.slow


@pytest.fixture
def binder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada-abc123/")
    for name in (*links.HUB_VARIABLES, "DEMO_ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(links, "_warned", [True])  # the warning has its own test


def test_a_proxied_request_with_the_hub_host_is_served(binder: None) -> None:
    with serve(name="hub-host") as server:
        r = httpx.get(server.url + "api/v1/data", headers={"host": "hub.example.mybinder.org"})
    assert r.status_code == 200, r.text


async def test_on_binder_the_origin_check_stays_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada-abc123/")
    monkeypatch.setenv("JUPYTERHUB_PUBLIC_URL", "https://hub.2i2c.mybinder.org/user/ada-abc123/")
    for name in ("JUPYTERHUB_PUBLIC_HUB_URL", "JUPYTERHUB_HOST", "DEMO_ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    hub = "hub.2i2c.mybinder.org"
    with serve(name="binder-origin") as server:
        async with httpx.AsyncClient() as client:
            page = await client.get(server.url + "api/v1/data", headers={"host": hub})
        assert page.status_code == 200, page.text
        # What the hub's proxy sends on: the hub's Host, to the demo's port on loopback.
        url, to = f"ws://{hub}/ws/echo/async/", {"host": "127.0.0.1", "port": server.port}
        # The student's own page, proxied by the hub: same host, the socket opens.
        async with connect(url, origin=f"https://{hub}", **to) as ws:
            await ws.send("hi")
            assert await ws.recv() == "async echo: hi"
        # A page of another site (cross-site WebSocket hijacking): refused.
        with pytest.raises(InvalidStatus) as refused:
            async with connect(url, origin="https://evil.example", **to):
                pass
        assert refused.value.response.status_code == 403


def test_outside_a_hub_a_foreign_host_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JUPYTERHUB_SERVICE_PREFIX", *links.HUB_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("DEMO_ALLOWED_HOSTS", raising=False)
    with serve(name="local-host") as server:
        r = httpx.get(server.url + "api/v1/data", headers={"host": "evil.example.org"})
    assert r.status_code == 400  # DisallowedHost
