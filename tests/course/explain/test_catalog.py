"""course/explain/painpoints.toml is the one source about each pain point, checked when read;
docs/pain-points.md is generated from it and the lessons' pain-N tags, and kept in step."""

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

from course.authoring import guide, painpoints
from course.explain import catalog
from course.explain import extension as explain


def test_the_catalogue_has_the_25_with_every_field() -> None:
    assert [p.number for p in catalog.PAIN_POINTS] == list(range(1, 26))
    for point in catalog.PAIN_POINTS:
        for name in catalog.FIELDS[1:]:
            value = getattr(point, name)
            assert isinstance(value, str) and value.strip(), f"pain point {point.number}: {name}"


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    """*records* as [[point]] tables (a JSON string is a TOML basic string)."""
    lines = []
    for record in records:
        lines += [
            "[[point]]",
            *(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in record.items()),
        ]
    path.write_text("\n".join(lines) + "\n")
    return path


def records() -> list[dict[str, Any]]:
    return [dataclasses.asdict(point) for point in catalog.PAIN_POINTS]


def test_a_well_formed_file_loads_as_written(tmp_path: Path) -> None:
    assert catalog.load(write(tmp_path / "points.toml", records())) == catalog.PAIN_POINTS


def _missing_fix(r: list[dict[str, Any]]) -> None:
    del r[6]["fix"]


def _wrong_number(r: list[dict[str, Any]]) -> None:
    r[4]["number"] = 6


def _blank_why(r: list[dict[str, Any]]) -> None:
    r[2]["why"] = "  "


def _misspelt_key(r: list[dict[str, Any]]) -> None:
    r[9]["anwser"] = r[9]["answer"]


def _one_short(r: list[dict[str, Any]]) -> None:
    del r[24]


@pytest.mark.parametrize(
    ("spoil", "number", "message"),
    [
        (_missing_fix, 7, "missing fix"),
        (_wrong_number, 5, "number = 6, expected 5"),
        (_blank_why, 3, "why must be non-empty text"),
        (_misspelt_key, 10, "unknown anwser"),
        (_one_short, 0, "points.toml: 24 [[point]] tables, expected 25"),
    ],
    ids=lambda v: getattr(v, "__name__", "")[1:] or None,
)
def test_a_malformed_record_is_refused_by_name(
    tmp_path: Path, spoil: Any, number: int, message: str
) -> None:
    if number:  # the file, the record and its title
        title = catalog.PAIN_POINTS[number - 1].title
        message = f"points.toml, [[point]] {number} ({title!r}): {message}"
    spoilt = records()
    spoil(spoilt)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        catalog.load(write(tmp_path / "points.toml", spoilt))


def test_the_explainer_the_faq_and_the_doc_say_what_the_record_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Change pain point 4's record only: the explainer's note, the FAQ line and the doc's
    row all follow, so no copy of its texts lives anywhere else."""
    marked = dataclasses.replace(
        catalog.PAIN_POINTS[3],
        **{name: f"{name}-of-4" for name in catalog.FIELDS[1:]},
    )
    monkeypatch.setattr(
        catalog, "PAIN_POINTS", (*catalog.PAIN_POINTS[:3], marked, *catalog.PAIN_POINTS[4:])
    )
    found = catalog.places()

    shown = explain.explain(ValueError("No handler for message type chat.message"))
    assert shown is not None and shown.numbers == [4]
    note = shown.text()
    for line in [
        "title-of-4",
        "When-of-4.",
        "Why: why-of-4",
        "Fix: fix-of-4",
        "Issues: issues-of-4",
    ]:
        assert line in note, f"{line!r} not in the explainer's note:\n{note}"
    faq = [line for line in guide.faq(found).splitlines() if "title-of-4" in line]
    assert len(faq) == 1 and "(you see `seen-of-4`). answer-of-4 →" in faq[0], faq
    row = next(line for line in painpoints.render(found).splitlines() if line.startswith("| 4 |"))
    assert row.startswith("| 4 | title-of-4 | `seen-of-4` | ") and row.endswith(" | issues-of-4 |")


def test_the_doc_is_up_to_date() -> None:
    assert painpoints.DOC.read_text() == painpoints.render(catalog.places()), (
        "docs/pain-points.md is out of date: run `python -m course painpoints`"
    )


def test_every_tag_names_a_pain_point_on_a_code_cell() -> None:
    for number, found in catalog.places().items():
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

    found = catalog.places(tmp_path)
    text = painpoints.render(found)

    assert list(found) == [4]
    row = next(line for line in text.splitlines() if line.startswith("| 4 |"))
    assert "[04 · Method dispatch, cell 3](../notebooks/04-consumers.ipynb#Method-dispatch)" in row
    assert "| 5 |" in text and "*not yet*" in text


def test_every_pain_point_is_reproduced_in_some_lesson() -> None:
    missing = sorted(set(range(1, 26)) - set(catalog.places()))
    assert not missing, f"no lesson cell is tagged pain-N for {missing}"
