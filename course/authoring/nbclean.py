"""Clear what running a notebook leaves behind, so only its source is committed.

    python -m course strip notebooks/*.ipynb     (what `make strip` runs)

Outputs, execution counts and the per-cell run timestamps are removed; tags and every
other piece of metadata (locked check cells, for instance) are kept.
"""

import sys
from pathlib import Path
from typing import Any

import nbformat

RUN_METADATA = ("execution", "collapsed", "scrolled")


def dirt(nb: Any) -> list[str]:
    """What a run left in *nb*, one line per cell ("" if it is clean)."""
    found = []
    for i, cell in enumerate(nb.cells):
        left = [key for key in RUN_METADATA if key in cell.metadata]
        if cell.cell_type == "code":
            left += ["outputs"] if cell.outputs else []
            left += ["execution_count"] if cell.execution_count is not None else []
        if left:
            found.append(f"cell {i}: {', '.join(left)}")
    return found


def clean(nb: Any) -> Any:
    """Remove outputs, execution counts and run metadata from *nb*, in place."""
    for cell in nb.cells:
        for key in RUN_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def main(paths: list[str]) -> int:
    for path in map(Path, paths):
        nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
        if dirt(nb):
            nbformat.write(clean(nb), path)  # type: ignore[no-untyped-call]
            print(f"cleaned {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
