"""A check's report: ✓/✗ per check with its message, as HTML in JupyterLab and text elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from course.checking.model import Result

MARKS = {"passed": "✓", "failed": "✗", "error": "✗", "timeout": "⏱", "crashed": "✗", "not-run": "–"}
COLOURS = {"passed": "#1a7f37", "timeout": "#9a6700", "not-run": "#57606a"}
FAILED_COLOUR = "#cf222e"
SAME = "(same as above)"


@dataclass(frozen=True)
class Score:
    """Points earned out of the most an exercise gives: ``check(...)`` returns one."""

    points: int
    max_points: int

    @property
    def full(self) -> bool:
        return self.points == self.max_points

    def __repr__(self) -> str:
        return f"{self.points}/{self.max_points} points"


@dataclass(frozen=True)
class Report:
    """The results of one exercise's checks."""

    exercise: str
    results: Sequence[Result]

    @property
    def score(self) -> Score:
        return Score(sum(r.points for r in self.results), sum(r.max_points for r in self.results))

    def headline(self) -> str:
        score = self.score
        verdict = "all checks pass" if score.full else "not yet"
        return f"{self.exercise}: {score!r}, {verdict}"

    def messages(self) -> list[str]:
        """Each result's message, with a repeat of the one before shortened to "same as above"."""
        shown, before = [], ""
        for r in self.results:
            shown.append(SAME if r.message and r.message == before else r.message)
            before = r.message
        return shown

    def __str__(self) -> str:
        lines = [self.headline()]
        for r, message in zip(self.results, self.messages(), strict=True):
            lines.append(f"  {MARKS[r.status]} {r.title}")
            if message:
                lines.append(f"      {message}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        rows = []
        for r, text in zip(self.results, self.messages(), strict=True):
            colour = COLOURS.get(r.status, FAILED_COLOUR)
            message = f"<div style='color:#57606a'>{escape(text)}</div>" if text else ""
            rows.append(
                f"<tr><td style='color:{colour};font-weight:bold;vertical-align:top'>"
                f"{MARKS[r.status]}</td><td style='text-align:left'>{escape(r.title)}{message}</td>"
                f"<td style='vertical-align:top'>{r.points}/{r.max_points}</td></tr>"
            )
        colour = COLOURS["passed"] if self.score.full else FAILED_COLOUR
        return (
            f"<div><b style='color:{colour}'>{escape(self.headline())}</b>"
            f"<table>{''.join(rows)}</table></div>"
        )
