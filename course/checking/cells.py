"""What a check cell is: a cell that is just ``check("name")``, locked and tagged ``check``.

Release (course/authoring/release.py) locks and tags them; the class grader
(course/grading/planning.py) finds them again, whatever a student did to the notebook.
"""

from __future__ import annotations

import re
from typing import Any

CHECK_CELL = re.compile(r"""^\s*check\(\s*(["'])([^"'\\\s]+)\1\s*\)\s*;?\s*$""")
CHECK_TAG = "check"


def check_name(source: str) -> str | None:
    """The exercise a check cell grades, or None if *source* is not a check cell."""
    lines = [s for s in source.splitlines() if s.strip() and not s.lstrip().startswith("#")]
    match = CHECK_CELL.match(lines[0]) if len(lines) == 1 else None
    return match.group(2) if match else None


def lock(cell: Any) -> None:
    """Make a check cell read-only and tag it, so students (and the grader) can find it."""
    cell.metadata["editable"] = False
    cell.metadata["deletable"] = False
    tags = cell.metadata.setdefault("tags", [])
    if CHECK_TAG not in tags:
        tags.append(CHECK_TAG)


__all__ = ["CHECK_CELL", "CHECK_TAG", "check_name", "lock"]
