"""Small charts drawn by hand as SVG: a bar chart and a line chart, side by side if you like.

>>> bar_chart({"in-memory": 52000, "Redis": 1900}, title="send + receive", ylabel="msg/s", log=True)
>>> side_by_side(bars, line_chart({1: 2.1, 8: 4.0}, title="fan-out", xlabel="clients", ylabel="ms"))

Jupyter shows a chart as SVG (``_repr_svg_``); its ``repr`` is a plain table of the values.
Drawn here rather than with matplotlib, which would add ~175 MB to every student's install
and 40 MB to the kernel of the one lesson that plots.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

WIDTH, HEIGHT = 440, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 30, 46
COLOURS = ("#7f7f7f", "#d62728", "#ff7f0e", "#1f77b4", "#2ca02c")


@dataclass(frozen=True)
class Chart:
    """One or more panels of SVG, and the values they show as text."""

    svg_body: str
    width: int
    text: str

    def _repr_svg_(self) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{HEIGHT}" '
            f'font-family="sans-serif" font-size="11">{self.svg_body}</svg>'
        )

    def __repr__(self) -> str:
        return self.text


def _nice_top(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above *value*."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(power * step for step in (1, 2, 2.5, 5, 10) if power * step >= value)


def _text(x: float, y: float, words: str, anchor: str = "middle", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(words)}</text>'


def _frame(title: str, ylabel: str, ticks: Sequence[tuple[float, str]]) -> list[str]:
    """Title, axes, y ticks (position 0..1 from the bottom, label) and the y label."""
    bottom, height = HEIGHT - BOTTOM, HEIGHT - BOTTOM - TOP
    parts = [
        _text(WIDTH / 2, 18, title, extra=' font-size="13"'),
        f'<path d="M{LEFT},{TOP} V{bottom} H{WIDTH - RIGHT}" fill="none" stroke="#333"/>',
        _text(
            14, TOP + height / 2, ylabel, extra=f' transform="rotate(-90 14 {TOP + height / 2})"'
        ),
    ]
    for at, label in ticks:
        y = bottom - at * height
        parts.append(f'<line x1="{LEFT - 4}" y1="{y:.1f}" x2="{LEFT}" y2="{y:.1f}" stroke="#333"/>')
        parts.append(_text(LEFT - 6, y + 4, label, anchor="end"))
    return parts


def _table(title: str, rows: Mapping[Any, float], unit: str) -> str:
    lines = [f"{title} ({unit})"] + [
        f"  {key!s:>14}  {value:>12,.1f}" for key, value in rows.items()
    ]
    return "\n".join(lines)


def bar_chart(values: Mapping[str, float], *, title: str, ylabel: str, log: bool = False) -> Chart:
    """One bar per key; *log* puts the y axis on a log scale (powers of ten)."""
    if log:
        low = 10 ** math.floor(math.log10(min(values.values())))
        high = 10 ** math.ceil(math.log10(max(values.values())))
        high = high * 10 if high == low else high

        def share(v: float) -> float:
            return math.log10(v / low) / math.log10(high / low)

        steps = round(math.log10(high / low))
        ticks = [(i / steps, f"{low * 10**i:,.0f}") for i in range(steps + 1)]
    else:
        top = _nice_top(max(values.values()))

        def share(v: float) -> float:
            return v / top

        ticks = [(i / 4, f"{top * i / 4:,g}") for i in range(5)]
    parts = _frame(title, ylabel, ticks)
    bottom, height = HEIGHT - BOTTOM, HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT - RIGHT) / len(values)
    for i, (name, value) in enumerate(values.items()):
        x, tall = LEFT + slot * (i + 0.2), share(value) * height
        colour = COLOURS[i % len(COLOURS)]
        parts.append(
            f'<rect x="{x:.1f}" y="{bottom - tall:.1f}" width="{slot * 0.6:.1f}" '
            f'height="{tall:.1f}" fill="{colour}">'
            f"<title>{escape(name)}: {value:,.0f}</title></rect>"
        )
        parts.append(_text(x + slot * 0.3, bottom - tall - 4, f"{value:,.0f}"))
        parts.append(_text(x + slot * 0.3, bottom + 16, name))
    return Chart("".join(parts), WIDTH, _table(title, values, ylabel))


def line_chart(points: Mapping[float, float], *, title: str, xlabel: str, ylabel: str) -> Chart:
    """A line through (x, y) points, both axes from zero, each point labelled with its y."""
    right, top = _nice_top(max(points)), _nice_top(max(points.values()))
    bottom, height, wide = HEIGHT - BOTTOM, HEIGHT - BOTTOM - TOP, WIDTH - LEFT - RIGHT
    parts = _frame(title, ylabel, [(i / 4, f"{top * i / 4:g}") for i in range(5)])
    xy = [(LEFT + x / right * wide, bottom - y / top * height) for x, y in points.items()]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    parts.append(f'<polyline points="{line}" fill="none" stroke="{COLOURS[1]}" stroke-width="2"/>')
    for (x, y), (px, py) in zip(xy, points.items(), strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{COLOURS[1]}"/>')
        parts.append(_text(x, y - 8, f"{py:.1f}"))
        parts.append(_text(x, bottom + 16, f"{px:g}"))
    parts.append(_text(LEFT + wide / 2, HEIGHT - 8, xlabel))
    return Chart("".join(parts), WIDTH, _table(title, points, ylabel))


def side_by_side(*charts: Chart) -> Chart:
    """Charts next to each other, left to right, in one picture."""
    body, x = [], 0
    for chart in charts:
        body.append(f'<g transform="translate({x},0)">{chart.svg_body}</g>')
        x += chart.width
    return Chart("".join(body), x, "\n\n".join(chart.text for chart in charts))
