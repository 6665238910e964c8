"""What the toolkit shows in a notebook: HTML there, the same as plain text anywhere else;
and the IPython shell it shows in, if any."""

import html
import sys
from dataclasses import dataclass
from typing import Any


def ipython_shell() -> Any | None:
    """The running IPython shell (a notebook kernel's or a terminal's), or None (a script).
    Found without importing IPython where nothing has loaded it."""
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


@dataclass
class Table:
    """Rows (events, scope keys): plain text in a console, an HTML table in a notebook."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    header: bool = True  # show the column names

    def __repr__(self) -> str:
        shown = [self.columns, *self.rows] if self.header else self.rows
        widths = [max((len(row[i]) for row in shown), default=0) for i in range(len(self.columns))]
        lines = [self.title] if self.title else []
        for row in shown:
            lines.append(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str:
        cell = '<{0} style="text-align:left;font-family:monospace">{1}</{0}>'
        head = "".join(cell.format("th", html.escape(c)) for c in self.columns)
        body = "".join(
            "<tr>" + "".join(cell.format("td", html.escape(c)) for c in row) + "</tr>"
            for row in self.rows
        )
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        thead = f"<thead><tr>{head}</tr></thead>" if self.header else ""
        return f"<table>{caption}{thead}<tbody>{body}</tbody></table>"


__all__ = ["Table"]
