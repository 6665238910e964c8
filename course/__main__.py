"""The course's commands.

python -m course generate [--check]           every generated file below, or check them all
python -m course exercises [--check]          exercises/ from solutions/
python -m course nav [--check]                previous/next links at the end of each lesson
python -m course guide [--check]              the workshop guide's schedules, figures and FAQ
python -m course painpoints [--check]         docs/pain-points.md from the pain-point catalogue
python -m course strip NOTEBOOK.ipynb...      clear outputs before a commit
python -m course grade SUBMISSION.ipynb...    grade a class: a CSV and feedback files
"""

import sys
from collections.abc import Callable
from importlib import import_module

# command → "module:function"; each module loads only when its command runs.
COMMANDS = {
    "generate": "course.authoring.generate:main",
    "exercises": "course.authoring.release:main",
    "nav": "course.authoring.nav:main",
    "guide": "course.authoring.guide:main",
    "painpoints": "course.authoring.painpoints:main",
    "strip": "course.authoring.nbclean:main",
    "grade": "course.grading.gradebook:main",
}


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    if command not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 0 if command in ("-h", "--help") else 2
    module, function = COMMANDS[command].split(":")
    run: Callable[[list[str]], int] = getattr(import_module(module), function)
    return run(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
