"""state_dir(): one private folder per process; folders of dead processes are removed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from course import _paths


def test_state_dir_is_private_and_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COURSE_STATE_DIR", str(tmp_path))
    path = _paths.state_dir()
    assert path == tmp_path / f"asgi-course-{os.getuid()}" / str(os.getpid())
    assert path.stat().st_mode & 0o777 == 0o700
    assert _paths.state_dir() == path


def test_folders_of_dead_processes_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COURSE_STATE_DIR", str(tmp_path))
    parent = tmp_path / f"asgi-course-{os.getuid()}"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    (parent / dead.stdout.strip()).mkdir(parents=True)
    (parent / dead.stdout.strip() / "daphne.log").write_text("old")
    (parent / "1").mkdir()  # pid 1 always runs
    _paths.state_dir()
    assert not (parent / dead.stdout.strip()).exists()
    assert (parent / "1").exists()


def test_an_open_parent_of_ours_is_closed(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_STATE_DIR", str(tmp_path))
    parent = tmp_path / f"asgi-course-{os.getuid()}"
    parent.mkdir(mode=0o755)
    parent.chmod(0o755)
    path = _paths.state_dir()
    assert path.parent == parent
    assert parent.stat().st_mode & 0o777 == 0o700


def test_a_planted_parent_is_not_used(tmp_path, monkeypatch):
    # Another user on a shared /tmp could plant a link where our folder should be.
    monkeypatch.setenv("COURSE_STATE_DIR", str(tmp_path))
    elsewhere = tmp_path / "planted"
    elsewhere.mkdir()
    (tmp_path / f"asgi-course-{os.getuid()}").symlink_to(elsewhere)
    path = _paths.state_dir()
    assert elsewhere not in path.parents and path.parent != elsewhere
    assert path.stat().st_mode & 0o777 == 0o700
    assert list(elsewhere.iterdir()) == []


def test_a_removed_folder_is_made_again(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_STATE_DIR", str(tmp_path))
    path = _paths.state_dir()
    path.rmdir()
    assert _paths.state_dir().is_dir()
