"""The 25 classic Channels pain points, and the lesson cell that reproduces each one.

Every text about a pain point lives in one record of course/explain/painpoints.toml: what the
student sees, the upstream issues (django/channels unless named), what the error explainer
says (``when``, ``why``, ``fix``) and the workshop guide's FAQ answer. A lesson tags the cell
that reproduces pain point N with ``pain-N``; the cells after it show the fix. ``seen`` is
what the student sees there (an error message, or a symptom shown by the cell's output):
tests/test_lesson_runs.py checks that the tagged cell really shows it.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from course.lessons import NOTEBOOKS, paths

TAG = re.compile(r"^pain-(\d+)$")
SOURCE = Path(__file__).with_name("painpoints.toml")
COUNT = 25


@dataclass(frozen=True)
class PainPoint:
    number: int
    title: str
    seen: str  # a fragment of the tagged cell's output
    issues: str  # "#1916 #1446", "daphne #191", or "—"
    when: str  # the explainer: when this cause applies ("if ..."),
    why: str  # what happened underneath,
    fix: str  # and the fix
    answer: str  # the FAQ's one-line answer


FIELDS = tuple(field.name for field in fields(PainPoint))


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def load(path: Path = SOURCE) -> tuple[PainPoint, ...]:
    """The pain points of *path*, checked: numbers 1 to 25 in order, every field a non-empty
    text (``number`` an integer). A ValueError names the record at fault."""
    with path.open("rb") as file:
        try:
            records = tomllib.load(file).get("point")
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"{path.name}: {error}") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValueError(f"{path.name}: no [[point]] tables")
    points = []
    for index, record in enumerate(records, start=1):
        name = f"{path.name}, [[point]] {index}"
        if title := record.get("title"):
            name += f" ({title!r})"
        if missing := [key for key in FIELDS if key not in record]:
            raise ValueError(f"{name}: missing {', '.join(missing)}")
        if unknown := sorted(set(record) - set(FIELDS)):
            raise ValueError(f"{name}: unknown {', '.join(unknown)}")
        if record["number"] != index or type(record["number"]) is not int:
            raise ValueError(f"{name}: number = {record['number']!r}, expected {index}")
        if empty := [key for key in FIELDS[1:] if not _text(record[key])]:
            raise ValueError(f"{name}: {', '.join(empty)} must be non-empty text")
        points.append(PainPoint(**record))
    if len(points) != COUNT:
        raise ValueError(f"{path.name}: {len(points)} [[point]] tables, expected {COUNT}")
    return tuple(points)


@dataclass(frozen=True)
class Place:
    notebook: Path
    cell: int  # 1-based, counting every cell, as JupyterLab's status bar does
    heading: str  # the section the cell is in

    def label(self) -> str:
        """What a link to the cell says: ``04 · Method dispatch, cell 53``."""
        return f"{self.notebook.stem[:2]} · {self.heading or self.notebook.stem}, cell {self.cell}"

    def href(self) -> str:
        """The cell's section, from any folder one level under the repository root (docs/,
        notebooks/, exercises/, solutions/): the doc and the error explainer share it."""
        # JupyterLab's heading ids: the rendered text (no Markdown marks), spaces as dashes.
        text = re.sub(r"[`*]", "", self.heading)
        anchor = "#" + text.replace(" ", "-") if self.heading else ""
        return f"../notebooks/{self.notebook.name}{anchor}"

    def link(self) -> str:
        """A Markdown link to the cell's section."""
        return f"[{self.label()}]({self.href()})"


PAIN_POINTS = load()


def places_in(nb: Any, path: Path) -> list[tuple[int, Place]]:
    """The cells of one notebook (its JSON, or an nbformat node) tagged ``pain-N``, with the
    section each is in."""
    found = []
    heading = ""
    for i, cell in enumerate(nb["cells"], start=1):
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            titles = re.findall(r"^#{2,3} (.+)$", source, re.M)
            heading = titles[-1].strip() if titles else heading
        for tag in cell.get("metadata", {}).get("tags", []):
            if match := TAG.match(tag):
                found.append((int(match.group(1)), Place(path, i, heading)))
    return found


def places(folder: Path = NOTEBOOKS) -> dict[int, list[Place]]:
    """Where each pain point is reproduced, over every lesson."""
    found: dict[int, list[Place]] = {}
    for path in paths(folder):
        # Plain JSON, not nbformat: importing nbformat takes seconds (jsonschema), and the
        # error explainer (course/explain/extension.py) reads these in every lesson's kernel.
        for number, place in places_in(json.loads(path.read_text()), path):
            found.setdefault(number, []).append(place)
    return found
