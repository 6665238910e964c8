"""Every lesson has the same opening and closing, and every link in a notebook leads somewhere.

The rules are docs/maintainers.md's "Adding a lesson"; the README's minutes come from here.
"""

import re
from pathlib import Path

import nbformat
import pytest

from course import lessons
from course._paths import REPO_ROOT

LESSONS = lessons.paths()
EXERCISE_BOOKS = lessons.paths(lessons.SOLUTIONS) + lessons.paths(lessons.EXERCISES)
README = (REPO_ROOT / "README.md").read_text()
LINK = re.compile(r"\]\(([^)\s]+)\)")
MOST_CELLS = 100  # a lesson denser than this is where students get lost (lesson 08 was 136)


def cells(path: Path) -> list:
    return nbformat.read(path, as_version=4).cells


def minutes(path: Path) -> int:
    found = lessons.minutes(cells(path)[0].source)
    assert found, f"{path.name}: the first cell gives no **Minutes:** figure"
    return found


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_a_lesson_opens_and_closes_the_same_way(path: Path) -> None:
    number = path.name[:2]
    first, *rest = cells(path)
    assert first.cell_type == "markdown" and first.source.startswith(f"# {number} · "), (
        f"{path.name}: the first cell is the title, `# {number} · ...`"
    )
    for part in ("**You will be able to:**", "**Prerequisites:**", "**Minutes:**"):
        assert part in first.source, f"{path.name}: the first cell lacks {part}"
    code = [c for c in rest if c.cell_type == "code"]
    setup = re.search(r"course\.setup\((servers=False)?\)", code[0].source)
    assert setup, f"{path.name}: the first code cell sets up"
    if setup[1]:  # no fork server booted: then the lesson starts no server
        starts = [
            c.source for c in code if re.search(r"\b(serve|serve_uvicorn|start_worker)\(", c.source)
        ]
        assert not starts, f"{path.name} says servers=False but starts one: {starts[0][:80]!r}"
    assert any(c.source.startswith("## Key points") for c in rest if c.cell_type == "markdown"), (
        f"{path.name}: no '## Key points' cell"
    )
    assert len(rest) < MOST_CELLS, (
        f"{path.name} has {len(rest) + 1} cells, more than {MOST_CELLS}: split it, or merge cells"
    )


@pytest.mark.parametrize("path", [p for p in LESSONS if p.name[:2] != "00"], ids=lambda p: p.stem)
def test_a_lesson_shows_an_error_on_purpose_and_links_its_exercises(path: Path) -> None:
    tagged = [c for c in cells(path) if "raises-exception" in c.metadata.get("tags", [])]
    assert tagged, f"{path.name}: no cell reproduces a classic error (tag raises-exception)"
    if (REPO_ROOT / "solutions" / path.name).exists():
        assert f"../exercises/{path.name}" in "".join(c.source for c in cells(path)), (
            f"{path.name}: link its exercises, ../exercises/{path.name}"
        )


@pytest.mark.parametrize("path", EXERCISE_BOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_an_exercise_notebook_links_back_to_its_lesson(path: Path) -> None:
    first = cells(path)[0]
    assert first.source.startswith(f"# {path.name[:2]} · Exercises"), path.name
    lesson = REPO_ROOT / "notebooks" / path.name
    if lesson.exists():
        text = "".join(c.source for c in cells(path) if c.cell_type == "markdown")
        assert f"../notebooks/{path.name}" in text, f"{path.name}: link back to its lesson"


@pytest.mark.parametrize(
    "path", LESSONS + EXERCISE_BOOKS, ids=lambda p: str(p.relative_to(REPO_ROOT))
)
def test_every_relative_link_in_a_notebook_exists(path: Path) -> None:
    for cell in cells(path):
        if cell.cell_type != "markdown":
            continue
        for target in LINK.findall(cell.source):
            if re.match(r"[a-z]+:|#", target):
                continue
            file = (path.parent / target.split("#")[0]).resolve()
            assert file.exists(), f"{path.name} links {target}, which does not exist"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_the_readme_gives_the_lessons_own_minutes(path: Path) -> None:
    row = re.search(rf"^\| {path.name[:2]} \| .*$", README, re.M)
    assert row, f"the README's course map has no row {path.name[:2]}"
    assert f"(notebooks/{path.name})" in row.group(0), f"the README's row does not link {path.name}"
    assert f"| {minutes(path)} |" in row.group(0), (
        f"the README's row {path.name[:2]} should say {minutes(path)} minutes, as the lesson does"
    )
