"""course.lessons: the one catalogue of the course's notebooks."""

import json
from pathlib import Path

from course import lessons


def test_every_numbered_lesson_is_in_the_catalogue_in_order() -> None:
    found = lessons.lessons()
    assert list(found) == sorted(found) and next(iter(found)) == "00"
    assert [lesson.path for lesson in found.values()] == lessons.paths()
    assert all(lesson.title.startswith(f"{number} · ") for number, lesson in found.items())
    assert all(lesson.minutes > 0 for lesson in found.values())


def test_a_lesson_knows_its_solutions_and_released_exercises() -> None:
    found = lessons.lessons()
    assert found["00"].solution is None and found["00"].exercise is None
    assert found["03"].solution == lessons.SOLUTIONS / found["03"].path.name
    assert found["03"].exercise == lessons.EXERCISES / found["03"].path.name
    assert lessons.notebooks() == lessons.paths() + lessons.paths(lessons.SOLUTIONS)


def test_the_opening_cell_gives_title_minutes_and_prerequisites(tmp_path: Path) -> None:
    opening = (
        "# 07 · A title\n\n**Prerequisites:** [one](01-one.ipynb), [five](05-five.ipynb)\n\n"
        "**Minutes:** 25\n\nSee also [two](02-two.ipynb)."
    )
    cells = [{"cell_type": "markdown", "metadata": {}, "source": opening.splitlines(True)}]
    path = tmp_path / "07-a-title.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4}))
    lesson = lessons.read(path)
    assert (lesson.number, lesson.slug, lesson.title) == ("07", "07-a-title", "07 · A title")
    assert (lesson.minutes, lesson.prerequisites) == (25, ("01", "05"))
    assert lessons.lessons(tmp_path) == {"07": lesson}
