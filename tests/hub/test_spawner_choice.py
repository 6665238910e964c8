"""Which spawner `make hub` picks (hub/__main__.py): a Unix account per student only where
every account can read the course and its Python; otherwise the simple spawner, saying why."""

from pathlib import Path

import pytest

from hub import __main__ as hub_main

PRIVATE = [Path("/root/.pyenv/versions/3.11.7/bin/python3.11")]


@pytest.fixture
def as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub_main.os, "getuid", lambda: 0)


def test_root_with_everything_readable_gets_an_account_per_student(
    as_root: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_main, "unreadable", lambda: [])
    assert hub_main.spawner({}) == "system"
    assert hub_main.spawner({"HUB_SPAWNER": "simple"}) == "simple"


def test_root_with_a_private_python_falls_back_and_names_the_path(
    as_root: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(hub_main, "unreadable", lambda: PRIVATE)
    assert hub_main.spawner({}) == "simple"
    said = capsys.readouterr().out
    assert str(PRIVATE[0]) in said and "make hub PYTHON=/usr/bin/python3" in said
    with pytest.raises(SystemExit, match=r"HUB_SPAWNER=system: /root/\.pyenv"):
        hub_main.spawner({"HUB_SPAWNER": "system"})


def test_not_root_is_always_simple_and_system_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub_main.os, "getuid", lambda: 1000)
    assert hub_main.spawner({}) == "simple"
    with pytest.raises(SystemExit, match="needs root"):
        hub_main.spawner({"HUB_SPAWNER": "system"})
