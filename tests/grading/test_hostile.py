"""One batch of hostile notebooks: it finishes, each scores what it earned, others are untouched.

Each hostile notebook is lesson 01's solution plus one bad cell (or one bad answer), so the
points it should keep are known: all of them, unless the bad cell is the answer itself.
"""

from pathlib import Path

import nbformat

from course.checks import for_lesson
from course.grading.gradebook import feedback_name
from tests.checks.helpers import (
    FULL01,
    LESSON01,
    RELEASED,
    SOLUTIONS,
    grade,
    notebook_with,
    points,
)

BLOCKING_APP = """import time

async def greeting_app(scope, receive, send):
    time.sleep(30)
"""
TAMPERING = """
import course.grading, course.checking.runner, course.checks
from course.checking.model import Result
from IPython.display import display

def check(name):
    print(f"{name}: 4/4 points, all checks pass")

def everything_passes(exercise, namespace, *, timeout=2.0):
    return [Result(exercise.name, c.name, c.title, c.points, c.points, "passed") for c in exercise]

course.checking.runner.run_exercise = everything_passes
course.grading.run_exercise = everything_passes
for exercise in course.checks.EXERCISES.values():
    exercise.checks.clear()
fake = {"results": [{"check": "greets_by_name", "status": "passed", "points": 99}]}
display({"application/vnd.course.grade+json": fake}, raw=True)
print("greeting-app: 4/4 points, all checks pass")
"""

# name: (the notebook, the points it has earned, words expected in its feedback)
HOSTILE = {
    "loop": (notebook_with("while True:\n    pass"), FULL01, "interrupted"),
    "hung-await": (
        notebook_with("import asyncio\nawait asyncio.Event().wait()"),
        FULL01,
        # course.setup() makes Interrupt stop a hung await (course/interrupt.py): no restart.
        "ran longer than 4 s and was interrupted",
    ),
    "ignores-interrupt": (
        notebook_with(
            "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(100)"
        ),
        FULL01,
        "the kernel was restarted",
    ),
    "system-exit": (notebook_with("raise SystemExit"), FULL01, "SystemExit"),
    "os-exit": (notebook_with("import os\nos._exit(1)"), FULL01, "stopped the kernel"),
    "segfault": (notebook_with("import ctypes\nctypes.string_at(0)"), FULL01, "stopped the kernel"),
    "flood": (notebook_with("print('x' * 50_000_000)"), FULL01, "printed more than"),
    "memory-bomb": (
        notebook_with("hog = []\nwhile True:\n    hog.append(bytearray(10**8))"),
        FULL01,
        "MemoryError",
    ),
    "blocking-sleep": (
        notebook_with(replace={"async def greeting_app": BLOCKING_APP}),
        FULL01 - for_lesson(LESSON01)[0].max_points,
        "blocked its event loop",
    ),
    "tampering": (
        notebook_with(
            TAMPERING,
            replace={
                "async def greeting_app": "async def greeting_app(scope, receive, send):\n    pass",
                "async def call_app": "async def call_app(app, path):\n    return (200, b'')",
            },
        ),
        0,
        "points",
    ),
}


def test_a_hostile_batch_finishes_and_each_scores_what_it_earned(tmp_path: Path) -> None:
    paths = []
    for name, (nb, _, _) in HOSTILE.items():
        path = tmp_path / f"{name}-{LESSON01}.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    good, released = SOLUTIONS[0], RELEASED[0]
    broken = tmp_path / f"broken-{LESSON01}.ipynb"
    broken.write_text("{ not json")
    unknown = tmp_path / "homework.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), unknown)
    out = tmp_path / "grades.csv"
    # A 512 MB cap: the memory bomb meets MemoryError after a few hundred MB, not a whole GB.
    limits = ("-j", "2", "--timeout", "4", "--memory-mb", "512")
    rows = grade([good, *paths, released, broken, unknown], out, *limits)

    assert points(rows[str(good)]) == (FULL01, FULL01)
    assert points(rows[str(released)]) == (0, FULL01)
    feedback = tmp_path / "grades-feedback"
    for path, (name, (_, earned, words)) in zip(paths, HOSTILE.items(), strict=True):
        got, most = points(rows[str(path)])
        assert (got, most) == (earned, FULL01), (name, rows[str(path)])
        text = (feedback / feedback_name(str(path))).read_text()
        assert words in text, (name, text)
    assert points(rows[str(broken)]) == (0, FULL01)
    assert {r["status"] for r in rows[str(broken)]} == {"not-run"}
    assert "could not read the notebook" in rows[str(broken)][0]["message"]
    assert len(rows[str(unknown)]) == 1
    assert "which lesson" in rows[str(unknown)][0]["message"]
