"""Run a notebook top to bottom in a fresh kernel, as CI does, and read what it showed.

Shared by the lesson tests (tests/test_lesson_runs.py), `make bench`, `make soak` and
`make students` (bench/).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

# An ASGI message type: http.request, websocket.send, lifespan.startup.complete, ...
EVENT_TYPE = re.compile(r"\b(?:http|websocket|lifespan)(?:\.[a-z_]+)+\b")
# Outputs of cells that print source code are not events that happened.
SOURCE_LISTING = ("getsource", "%pycat", "read_text()")
SHOWN = ("text/plain", "text/vnd.mermaid", "text/markdown")


@dataclass
class NotebookRun:
    path: Path
    seconds: float
    nb: Any
    error: str | None

    def code_cells(self) -> list[Any]:
        return [cell for cell in self.nb.cells if cell.cell_type == "code"]

    def shown(self) -> str:
        """Everything the cells showed (text, Mermaid, streams), source listings left out."""
        return "\n".join(
            _text(cell)
            for cell in self.code_cells()
            if not any(marker in cell.source for marker in SOURCE_LISTING)
        )

    def cell_shows(self, number: int) -> str:
        """What cell *number* (1-based, counting every cell) showed."""
        return _text(self.nb.cells[number - 1])

    def event_types(self) -> set[str]:
        """The ASGI message types that appear in the cells' outputs."""
        return set(EVENT_TYPE.findall(self.shown()))

    def quiet_failures(self) -> list[int]:
        """Indexes of code cells tagged raises-exception that did not raise."""
        return [
            i
            for i, cell in enumerate(self.code_cells())
            if "raises-exception" in cell.metadata.get("tags", [])
            and not any(o.output_type == "error" for o in cell.get("outputs", []))
        ]


def _text(cell: Any) -> str:
    parts: list[str] = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
        else:
            parts += [str(output.data[m]) for m in SHOWN if m in output.get("data", {})]
    return "\n".join(parts)


def run(path: Path, *, timeout: float = 60, env: Mapping[str, str] | None = None) -> NotebookRun:
    """Execute *path* in a fresh ``python3`` kernel from its own folder; never raises on a cell.

    *env* replaces the kernel's environment (default: this process's).
    """
    nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    error = None
    try:
        # The kernel's own stderr is only ipykernel's start-up warnings; errors come as outputs.
        client.execute(env=os.environ if env is None else env, stderr=subprocess.DEVNULL)
    except CellExecutionError as failed:
        error = str(failed)
    return NotebookRun(path, time.perf_counter() - start, nb, error)
