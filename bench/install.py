"""A fresh `make lab` bootstrap, timed: clone the committed HEAD, then `make setup` in it.

    python -m bench.install                   (part of `make bench`)

`make setup` is what `make lab` does before it opens JupyterLab: a .venv from the pins and
the demo database. Writes ``install_seconds``, ``venv_mb`` (the .venv as `du` sees it),
``venv_largest`` (the biggest installed packages) and ``install_pip`` (where pip took the
packages from) and ``venv_pycache_mb`` (its compiled bytecode) into bench/results.json.
Goal: venv_mb ≤ 400.

pip keeps its cache (~/.cache/pip) and this machine also has local wheel folders in its pip
configuration: the figure is an install from warm local copies, which is what CI on this
machine sees, not a first install on a laptop that downloads every wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import results
from course._paths import REPO_ROOT

LARGEST = 8


def du_mb(path: Path) -> float:
    out = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0]) / 1024


def pycache_mb(venv: Path) -> float:
    return sum(f.stat().st_size for d in venv.rglob("__pycache__") for f in d.iterdir()) / 2**20


def largest(venv: Path) -> list[list[object]]:
    """The biggest folders of site-packages, in MB."""
    site = next(venv.glob("lib/python3*/site-packages"))
    sizes = [(p.name, du_mb(p)) for p in site.iterdir() if p.is_dir()]
    return [[name, round(mb)] for name, mb in sorted(sizes, key=lambda s: -s[1])[:LARGEST]]


def pip_sources() -> str:
    """Whether pip read only PyPI, and how big its cache is (no local paths: the figure is
    committed, and a machine's index folders say nothing to a reader elsewhere)."""
    config = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True
    ).stdout
    extra = sum(
        1
        for line in config.splitlines()
        if line.split("=", 1)[0].endswith(("find-links", "extra-index-url", "index-url"))
    )
    cache = Path(os.environ.get("PIP_CACHE_DIR", Path.home() / ".cache" / "pip"))
    cached = f"a warm cache of {du_mb(cache):.0f} MB" if cache.exists() else "no cache"
    mirrors = f" and {extra} local index setting{'s' * (extra != 1)}" if extra else ""
    return f"PyPI{mirrors}; {cached}"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="course-install-") as scratch:
        clone = Path(scratch) / "course"
        subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True)
        start = time.perf_counter()
        subprocess.run(["make", "setup"], cwd=clone, check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        venv = clone / ".venv"
        figures = {
            "install_seconds": round(seconds, 1),
            "venv_mb": round(du_mb(venv)),
            "venv_largest": largest(venv),
            "install_pip": pip_sources(),
        }
        figures["venv_pycache_mb"] = round(pycache_mb(venv))
    results.update("install", figures)
    results.show(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
