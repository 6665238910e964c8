"""Previous / next / exercises links at the end of every lesson, generated, never hand-kept.

    python -m course nav [--check]     rewrites the last cell of each lesson and solutions notebook

The navigation cell is the notebook's last cell, a Markdown cell tagged ``nav``; it is replaced
on every run, so renaming or adding a lesson updates every link. ``--check`` exits 1 when a
notebook's navigation is out of date (``make test`` runs it). exercises/ gets it from solutions/.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import nbformat

from course._paths import REPO_ROOT

TAG = "nav"


@cache
def title(path: Path) -> str:
    """``NN · Title`` from the notebook's first heading (read once per run)."""
    nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    found = re.match(r"#\s+(.+)", nb.cells[0].source)
    return found.group(1).strip() if found else path.stem


def lesson_links(lessons: list[Path], i: int) -> str:
    here = lessons[i]
    parts = []
    if i > 0:
        parts.append(f"[← {title(lessons[i - 1])}]({lessons[i - 1].name})")
    if (REPO_ROOT / "exercises" / here.name).exists():
        parts.append(f"[Exercises for this lesson](../exercises/{here.name})")
    if i + 1 < len(lessons):
        parts.append(f"[{title(lessons[i + 1])} →]({lessons[i + 1].name})")
    parts.append("[Course map](../README.md#course-map)")
    return " · ".join(parts)


def exercise_links(path: Path) -> str:
    parts = [f"[← Back to the lesson](../notebooks/{path.name})"]
    lessons = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    later = [p for p in lessons if p.name > path.name]
    if later:
        parts.append(f"[Next lesson: {title(later[0])} →](../notebooks/{later[0].name})")
    parts.append("[Course map](../README.md#course-map)")
    return " · ".join(parts)


def with_nav(nb: Any, text: str) -> Any:
    """*nb* with its navigation cell (re)written as the last cell."""
    nb.cells = [c for c in nb.cells if TAG not in c.metadata.get("tags", [])]
    cell = nbformat.v4.new_markdown_cell(f"---\n\n{text}")  # type: ignore[no-untyped-call]
    cell.metadata["tags"] = [TAG]
    nb.cells.append(cell)
    return nb


def planned() -> dict[Path, str]:
    lessons = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    plan = {path: lesson_links(lessons, i) for i, path in enumerate(lessons)}
    for path in sorted((REPO_ROOT / "solutions").glob("[0-9][0-9]-*.ipynb")):
        plan[path] = exercise_links(path)
    return plan


def main(argv: list[str]) -> int:
    stale = []
    for path, text in planned().items():
        nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
        last = nb.cells[-1] if nb.cells else None
        if (
            last is not None
            and TAG in last.metadata.get("tags", [])
            and last.source == f"---\n\n{text}"
        ):
            continue
        stale.append(path)
        if argv != ["--check"]:
            nbformat.write(with_nav(nb, text), path)  # type: ignore[no-untyped-call]
            print(f"wrote the navigation of {path.relative_to(REPO_ROOT)}")
    if argv == ["--check"] and stale:
        for path in stale:
            print(f"out of date: {path.relative_to(REPO_ROOT)}")
        print("the lessons' navigation is out of date: run `python -m course nav`")
        return 1
    return 0
