"""docs/pain-points.md is generated from the lessons' pain-N tags and kept in step."""

from pathlib import Path

import nbformat

from course import painpoints


def test_the_list_is_the_reference_s_25() -> None:
    assert [p.number for p in painpoints.PAIN_POINTS] == list(range(1, 26))
    assert all(p.title and p.issues and p.seen for p in painpoints.PAIN_POINTS)


def test_the_doc_is_up_to_date() -> None:
    assert painpoints.DOC.read_text() == painpoints.render(painpoints.places()), (
        "docs/pain-points.md is out of date: run `python -m course painpoints`"
    )


def test_every_tag_names_a_pain_point_on_a_code_cell() -> None:
    for number, found in painpoints.places().items():
        assert 1 <= number <= 25, f"pain-{number} is not one of the 25 ({found})"
        for place in found:
            cell = nbformat.read(place.notebook, as_version=4).cells[place.cell - 1]
            assert cell.cell_type == "code", f"{place.link()}: pain-{number} tags a Markdown cell"


def test_a_tag_becomes_a_row_with_a_link_to_its_section(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 04 · Title"),
        nbformat.v4.new_markdown_cell("## Method dispatch\n\nA type with no handler:"),
        nbformat.v4.new_code_cell("await c.send_input(...)", metadata={"tags": ["pain-4"]}),
        nbformat.v4.new_code_cell("fixed()"),
    ]
    nbformat.write(nb, tmp_path / "04-consumers.ipynb")

    found = painpoints.places(tmp_path)
    text = painpoints.render(found)

    assert list(found) == [4]
    row = next(line for line in text.splitlines() if line.startswith("| 4 |"))
    assert "[04 · Method dispatch, cell 3](../notebooks/04-consumers.ipynb#Method-dispatch)" in row
    assert "| 5 |" in text and "*not yet*" in text


def test_every_pain_point_is_reproduced_in_some_lesson() -> None:
    missing = sorted(set(range(1, 26)) - set(painpoints.places()))
    assert not missing, f"no lesson cell is tagged pain-N for {missing}"
