"""bench/results.json: one file, many writers; each script updates only its own keys.

    from bench import results
    results.update("lessons", {"lessons": {...}}, drop=["lesson_seconds"])

Scripts run one after another (`make bench`), so a plain read-merge-write is enough.
``measured`` keeps, per script, when it last wrote and on what machine.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results.json"
SOAK = BENCH / "soak.json"


def load(path: Path = RESULTS) -> dict[str, Any]:
    """The figures so far ({} if none)."""
    return json.loads(path.read_text()) if path.exists() else {}


def save(data: Mapping[str, Any], path: Path = RESULTS) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def update(
    script: str, figures: Mapping[str, Any], drop: Iterable[str] = (), path: Path = RESULTS
) -> None:
    """Set *script*'s top-level keys (and remove its obsolete ones), keeping every other key."""
    data = load(path)
    for key in drop:
        data.pop(key, None)
    data.update(figures)
    data.setdefault("measured", {})[script] = stamp()
    save(data, path)


def show(figures: Mapping[str, Any]) -> None:
    """Print each figure on a line of its own."""
    for key, value in figures.items():
        print(f"{key:36} {value}")


def arguments(doc: str, runs: int, argv: list[str] | None) -> argparse.Namespace:
    """``--runs N`` and notebook name prefixes: what the lesson and soak scripts accept."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("names", nargs="*", help="notebook name prefixes, e.g. 08 (default: all)")
    return parser.parse_args(argv)


def chosen(paths: Iterable[Path], names: list[str]) -> list[Path]:
    """The notebooks whose names start with one of *names* (all of them if none is given)."""
    return [p for p in paths if not names or any(p.stem.startswith(n) for n in names)]


def stamp() -> str:
    """When and where: '2026-11-24 17:40 UTC, 2 cores (load 0.5), Python 3.11.2'; the load
    average says whether something else shared the machine."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    return f"{now}, {os.cpu_count()} cores (load {load:.1f}), Python {platform.python_version()}"
