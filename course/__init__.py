"""The course toolkit: what the notebooks import.

- ``course.setup()``: Django configured for the demo project
- ``await course.doctor()``: is everything the course needs here?
- ``course.serve()``: the demo under daphne, on a free port
- ``course.trace(app)``: the scope and events of your own traffic
- ``course.start_redis()``: a throwaway redis-server for this kernel
- ``course.start_worker(...)``: ``manage.py runworker`` beside the kernel (lesson 10)
- ``course.serve_uvicorn()``: the demo under uvicorn instead of daphne (lesson 13)
- ``course.side_by_side(server, path=...)``: two browser windows on one page, in the output
- ``course.run_python(args, cwd=...)``: ``python ARGS`` in a fresh process, waited for (lesson 12)
- ``course.check("name")``: grade an exercise on the spot
- ``course.hint("name")``: an exercise's next hint, one at a time

Each name is owned by one room: ``live/`` (processes), ``tracing/``, ``checks/``, and the
modules here; docs/maintainers.md draws the floors.
"""

from typing import TYPE_CHECKING

from course._lazy import lazy
from course.tracing import trace

if TYPE_CHECKING:
    from course.checks import check, hint
    from course.checkup import doctor
    from course.live import (
        run_python,
        serve,
        serve_uvicorn,
        side_by_side,
        start_redis,
        start_worker,
        stop_all,
    )
    from course.session import setup

# The rest load on first use, so ``import course`` stays cheap (redis and httpx are not
# needed to grade an exercise or to read a trace).
__getattr__ = lazy(
    __name__,
    {
        "check": "course.checks",
        "doctor": "course.checkup",
        "hint": "course.checks",
        "run_python": "course.live",
        "serve": "course.live",
        "setup": "course.session",
        "side_by_side": "course.live",
        "serve_uvicorn": "course.live",
        "start_redis": "course.live",
        "start_worker": "course.live",
        "stop_all": "course.live",
    },
    globals(),
)

__all__ = [
    "check",
    "doctor",
    "hint",
    "run_python",
    "serve",
    "serve_uvicorn",
    "setup",
    "side_by_side",
    "start_redis",
    "start_worker",
    "stop_all",
    "trace",
]
