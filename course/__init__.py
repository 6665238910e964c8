"""The course toolkit: what the notebooks import.

- ``course.setup()``: Django configured for the demo project
- ``await course.doctor()``: is everything the course needs here?
- ``course.serve()``: the demo under daphne, on a free port
- ``course.trace(app)``: the scope and events of your own traffic
- ``course.start_redis()``: a throwaway redis-server for this kernel
- ``course.start_worker(...)``: ``manage.py runworker`` beside the kernel (lesson 09)
- ``course.serve_uvicorn()``: the demo under uvicorn instead of daphne (lesson 12)
- ``course.side_by_side(server, path=...)``: two browser windows on one page, in the output
- ``course.check("name")``: grade an exercise on the spot
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

# ``trace`` is imported eagerly: the function shadows its own module's name, and a lazy
# lookup would hand back the module once anything imported ``course.trace``.
from course.trace import trace

if TYPE_CHECKING:
    from course.beside import side_by_side
    from course.checkup import doctor
    from course.environment import setup
    from course.grading import check
    from course.redis_server import start_redis
    from course.servers import serve, stop_all
    from course.uvicorn_server import serve_uvicorn
    from course.workers import start_worker

# The rest load on first use, so ``import course`` stays cheap (redis and httpx are not
# needed to grade an exercise or to read a trace).
_LAZY = {
    "check": "course.grading",
    "doctor": "course.checkup",
    "serve": "course.servers",
    "setup": "course.environment",
    "side_by_side": "course.beside",
    "serve_uvicorn": "course.uvicorn_server",
    "start_redis": "course.redis_server",
    "start_worker": "course.workers",
    "stop_all": "course.servers",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'course' has no attribute {name!r}")


__all__ = [
    "check",
    "doctor",
    "serve",
    "serve_uvicorn",
    "setup",
    "side_by_side",
    "start_redis",
    "start_worker",
    "stop_all",
    "trace",
]
