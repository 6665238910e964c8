"""Settings that depend on where the course is installed."""

import os

from config.settings import default_database


def test_the_database_lives_beside_manage_py_when_it_can(tmp_path):
    assert default_database(tmp_path) == tmp_path / "db.sqlite3"


def test_a_read_only_install_gives_each_user_a_database_of_their_own(tmp_path, monkeypatch):
    # One copy installed for every student on a hub: students cannot write there.
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "ada-data"))
    path = default_database(tmp_path / "shared-install")
    assert path == tmp_path / "ada-data" / "asgi-channels-live" / "db.sqlite3"
    assert path.parent.is_dir()
