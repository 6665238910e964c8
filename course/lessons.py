"""The lesson catalogue: every lesson, read once from notebooks/, and where its exercises are.

The one place that lists the course's notebooks. Everything that walks the lessons (the
navigation, the workshop guide, the pain-point table, the error explainer, the bench, the
tests) asks here instead of globbing folders of its own:

>>> [lesson.number for lesson in lessons().values()][:3]
['00', '01', '02']

A lesson is ``notebooks/NN-slug.ipynb``; its opening cell holds the ``# NN · Title``
heading, the **Prerequisites:** links and the **Minutes:** figure. ``solutions/NN-slug.ipynb``
is its exercise notebook with the answers, ``exercises/NN-slug.ipynb`` the released copy.
Notebooks are read as plain JSON: nbformat costs seconds to import (jsonschema), and the
error explainer reads the lessons in every student's kernel.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from course._paths import REPO_ROOT

NOTEBOOKS = REPO_ROOT / "notebooks"
SOLUTIONS = REPO_ROOT / "solutions"
EXERCISES = REPO_ROOT / "exercises"
PATTERN = "[0-9][0-9]-*.ipynb"
MINUTES = re.compile(r"\*\*Minutes:\*\*\s*(\d+)")


@dataclass(frozen=True)
class Lesson:
    path: Path  # notebooks/NN-slug.ipynb
    title: str  # "03 · WebSocket scope and events"
    minutes: int
    prerequisites: tuple[str, ...]  # lesson numbers, from the opening cell's links

    @property
    def number(self) -> str:
        return self.path.name[:2]

    @property
    def slug(self) -> str:
        """``03-websocket-scope-and-events``: the file stem, also the exercise lesson key."""
        return self.path.stem

    @property
    def solution(self) -> Path | None:
        """solutions/NN-slug.ipynb, if the lesson has exercises."""
        path = self.path.parent.parent / SOLUTIONS.name / self.path.name
        return path if path.exists() else None

    @property
    def exercise(self) -> Path | None:
        """exercises/NN-slug.ipynb, the released copy, if it exists."""
        path = self.path.parent.parent / EXERCISES.name / self.path.name
        return path if path.exists() else None

    def link(self) -> str:
        """A Markdown link from any folder one level under the repository root."""
        return f"[{self.title}](../notebooks/{self.path.name})"


def paths(folder: Path = NOTEBOOKS) -> list[Path]:
    """The numbered notebooks of *folder* (notebooks/, solutions/ or exercises/), in order."""
    return sorted(folder.glob(PATTERN))


def opening(path: Path) -> str:
    """The source of a notebook's first cell."""
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells") or [{"source": ""}]
    source = cells[0]["source"]
    return source if isinstance(source, str) else "".join(source)


def minutes(text: str) -> int | None:
    """The **Minutes:** figure of a lesson's opening cell."""
    found = MINUTES.search(text)
    return int(found.group(1)) if found else None


def read(path: Path) -> Lesson:
    """One lesson, from its opening cell."""
    text = opening(path)
    needs = text.split("**Prerequisites:**", 1)[-1].split("**Minutes:**", 1)[0]
    heading = re.match(r"#\s+(.+)", text)
    return Lesson(
        path,
        heading.group(1).strip() if heading else path.stem,
        minutes(text) or 0,
        tuple(re.findall(r"\((\d\d)-[^)]*\.ipynb\)", needs)),
    )


@cache
def lessons(folder: Path = NOTEBOOKS) -> dict[str, Lesson]:
    """Every lesson by number (``"00"`` …), in course order."""
    return {path.name[:2]: read(path) for path in paths(folder)}


def notebooks() -> list[Path]:
    """Every lesson, then every solutions notebook: all a student runs top to bottom."""
    return paths(NOTEBOOKS) + paths(SOLUTIONS)
