"""course.authoring.nav: the generated previous/next links at the end of each lesson."""

from pathlib import Path

import nbformat

from course.authoring import nav
from course.lessons import lessons

LESSONS = list(lessons().values())


def test_the_committed_navigation_is_up_to_date() -> None:
    assert nav.main(["--check"]) == 0, "run `python -m course nav`"


def test_first_middle_and_last_lessons_link_what_exists() -> None:
    first, middle, last = (nav.lesson_links(LESSONS, i) for i in (0, 4, len(LESSONS) - 1))
    assert "←" not in first and "→" in first
    assert f"({LESSONS[3].path.name})" in middle and f"({LESSONS[5].path.name})" in middle
    assert f"../exercises/{LESSONS[4].path.name}" in middle
    assert "→" not in last and "Course map" in last


def test_rewriting_replaces_the_old_cell_and_keeps_the_rest(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 03 · X"), nbformat.v4.new_code_cell("1")]
    twice = nav.with_nav(nav.with_nav(nb, "old"), "new")
    assert [c.source for c in twice.cells] == ["# 03 · X", "1", "---\n\nnew"]
    assert twice.cells[-1].metadata["tags"] == ["nav"]
