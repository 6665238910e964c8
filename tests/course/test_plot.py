"""course.plot: SVG charts whose shapes follow the numbers, with a text fallback."""

import math
import xml.etree.ElementTree as ET

from course.plot import bar_chart, line_chart, side_by_side

SVG = "{http://www.w3.org/2000/svg}"


def shapes(svg: str, tag: str) -> list[dict[str, str]]:
    return [element.attrib for element in ET.fromstring(svg).iter(f"{SVG}{tag}")]


def test_bars_are_as_tall_as_their_values() -> None:
    chart = bar_chart({"a": 10, "b": 40, "c": 20}, title="t", ylabel="y")
    heights = [float(rect["height"]) for rect in shapes(chart._repr_svg_(), "rect")]
    assert heights[1] == max(heights)
    assert math.isclose(heights[0] * 4, heights[1], rel_tol=0.01)
    assert math.isclose(heights[2] * 2, heights[1], rel_tol=0.01)


def test_a_log_scale_gives_each_power_of_ten_the_same_height() -> None:
    chart = bar_chart(
        {"small": 100, "middle": 1_000, "large": 10_000}, title="t", ylabel="y", log=True
    )
    heights = [float(rect["height"]) for rect in shapes(chart._repr_svg_(), "rect")]
    assert math.isclose(heights[1] - heights[0], heights[2] - heights[1], rel_tol=0.01)
    assert "1,000" in chart._repr_svg_() and "10,000" in chart._repr_svg_()


def test_a_line_starts_its_y_axis_at_zero() -> None:
    chart = line_chart({1: 5.0, 2: 6.0, 8: 10.0}, title="t", xlabel="x", ylabel="y")
    svg = chart._repr_svg_()
    ys = [float(circle["cy"]) for circle in shapes(svg, "circle")]
    assert ys == sorted(ys, reverse=True)  # higher values sit higher (smaller y)
    axis_bottom = 280 - 46
    # 5 of an axis running 0..10 sits halfway up, not at the bottom.
    assert math.isclose(axis_bottom - ys[0], (axis_bottom - ys[2]) / 2, rel_tol=0.01)


def test_side_by_side_shifts_the_second_chart_and_keeps_both_tables() -> None:
    left = bar_chart({"a": 1}, title="left", ylabel="y")
    right = line_chart({1: 1.0}, title="right", xlabel="x", ylabel="y")
    both = side_by_side(left, right)
    groups = shapes(both._repr_svg_(), "g")
    assert [g["transform"] for g in groups] == ["translate(0,0)", f"translate({left.width},0)"]
    assert "left (y)" in repr(both) and "right (y)" in repr(both)
