"""A plain `pip install .` (not editable) ships the whole toolkit: every subpackage, its data."""

import shutil
import subprocess
import sys
from pathlib import Path

from course._paths import REPO_ROOT

COURSE = REPO_ROOT / "course"


def shipped(folder: Path) -> set[str]:
    return {
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_a_regular_build_ships_every_module_and_data_file(tmp_path: Path) -> None:
    # A clean copy: the editable install's egg-info would list every file as package data.
    source, built = tmp_path / "source", tmp_path / "built"
    shutil.copytree(COURSE, source / "course", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO_ROOT / name, source / name)
    # build_py is the step of a wheel build that copies the package: what a wheel holds.
    build = "from setuptools import setup; setup()"
    subprocess.run(
        [sys.executable, "-W", "ignore", "-c", build, "-q", "build_py", "--build-lib", str(built)],
        cwd=source,
        check=True,
        capture_output=True,
    )
    missing = shipped(COURSE) - shipped(built / "course")
    assert not missing, f"a non-editable install would lack: {sorted(missing)}"
