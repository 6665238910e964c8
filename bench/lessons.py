"""How long each lesson and each solutions notebook takes, top to bottom, in a fresh kernel.

    python bench/lessons.py            (part of `make bench`)

One notebook at a time, so the figures are what a student waits for on an idle machine.
Writes lesson_seconds and solution_seconds ({notebook stem: seconds}) into
bench/results.json (other keys are kept). The goal: under 15 s a lesson.
"""

from __future__ import annotations

import json
import re
import sys

from course import nbrun
from course._paths import REPO_ROOT

RESULTS = REPO_ROOT / "bench" / "results.json"


def main() -> int:
    figures: dict[str, dict[str, float]] = {"lesson_seconds": {}, "solution_seconds": {}}
    failed = []
    for key, folder in (("lesson_seconds", "notebooks"), ("solution_seconds", "solutions")):
        for path in sorted((REPO_ROOT / folder).glob("*.ipynb")):
            run = nbrun.run(path)
            if run.error:
                failed.append(path.name)
            figures[key][path.stem] = round(run.seconds, 1)
            found = re.search(r"\*\*Minutes:\*\*\s*(\d+)", run.nb.cells[0].source)
            minutes = f"{found.group(1)} min to study" if found else ""
            print(f"{folder}/{path.stem:40} {run.seconds:5.1f} s  {minutes}", flush=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update(figures)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    if failed:
        print("failed:", ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
