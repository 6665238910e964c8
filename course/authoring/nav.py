"""Previous / next / exercises links at the end of every lesson, generated, never hand-kept.

    python -m course nav [--check]     rewrites the last cell of each lesson and solutions notebook

The navigation cell is the notebook's last cell, a Markdown cell tagged ``nav``; it is replaced
on every run, so renaming or adding a lesson updates every link. ``--check`` exits 1 when a
notebook's navigation is out of date (``make test`` runs it). exercises/ gets it from solutions/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat

from course._paths import REPO_ROOT
from course.lessons import Lesson, lessons

TAG = "nav"
# JupyterLab gives a rendered heading the id of its text, spaces as dashes, case kept: this
# fragment scrolls the README to its map there (tests/browser/test_course_map_link.py).
COURSE_MAP = "[Course map](../README.md#Course-map)"


def lesson_links(course: list[Lesson], i: int) -> str:
    here = course[i]
    parts = []
    if i > 0:
        parts.append(f"[← {course[i - 1].title}]({course[i - 1].path.name})")
    if here.exercise is not None:
        parts.append(f"[Exercises for this lesson](../exercises/{here.path.name})")
    if i + 1 < len(course):
        parts.append(f"[{course[i + 1].title} →]({course[i + 1].path.name})")
    parts.append(COURSE_MAP)
    return " · ".join(parts)


def exercise_links(lesson: Lesson) -> str:
    parts = [f"[← Back to the lesson](../notebooks/{lesson.path.name})"]
    later = [other for other in lessons().values() if other.number > lesson.number]
    if later:
        parts.append(f"[Next lesson: {later[0].title} →](../notebooks/{later[0].path.name})")
    parts.append(COURSE_MAP)
    return " · ".join(parts)


def with_nav(nb: Any, text: str) -> Any:
    """*nb* with its navigation cell (re)written as the last cell."""
    nb.cells = [c for c in nb.cells if TAG not in c.metadata.get("tags", [])]
    cell = nbformat.v4.new_markdown_cell(f"---\n\n{text}")  # type: ignore[no-untyped-call]
    cell.metadata["tags"] = [TAG]
    nb.cells.append(cell)
    return nb


def planned() -> dict[Path, str]:
    course = list(lessons().values())
    plan = {lesson.path: lesson_links(course, i) for i, lesson in enumerate(course)}
    for lesson in course:
        if lesson.solution is not None:
            plan[lesson.solution] = exercise_links(lesson)
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
