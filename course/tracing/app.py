"""The app a server subprocess serves when a lesson asks for a trace.

    COURSE_TRACE_APP=config.asgi:application COURSE_TRACE_FILE=/tmp/t.jsonl \\
        daphne course.tracing.app:application

imports the real app named by COURSE_TRACE_APP ("module:attr"), wraps it in a Tracer
and appends one JSON line per scope, event and end to COURSE_TRACE_FILE, which the
notebook reads back with ``Trace.from_file``. ``course.tracing.subprocess_env`` builds
the two variables. The lines, bytes as ``{"$bytes": "<latin-1>"}``:

    {"record": "scope", "pid": 7, "conn": 1, "at": <time.time()>, "scope": {...}}
    {"record": "event", "pid": 7, "conn": 1, "t": 0.0004, "direction": "receive", "message": {...}}
    {"record": "end",   "pid": 7, "conn": 1, "t": 0.0113, "error": null}
"""

import importlib
import os

from course.tracing.codec import JsonlSink
from course.tracing.tracer import Tracer
from course.types import ASGIApp


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(
            f"{name} is not set: start the server with course.tracing.subprocess_env(app, file)"
        )
    return value


def load_app(target: str) -> ASGIApp:
    """Import "module:attr" (attr defaults to ``application``; dots walk attributes)."""
    module_name, _, attr = target.partition(":")
    if os.environ.get("DJANGO_SETTINGS_MODULE"):
        # Settings are named: set Django up first, so a target that imports models
        # (a consumer module, not just config.asgi) does not hit AppRegistryNotReady.
        import django

        django.setup(set_prefix=False)
    obj: object = importlib.import_module(module_name)
    for name in (attr or "application").split("."):
        obj = getattr(obj, name)
    if not callable(obj):
        raise TypeError(f"{target} is {type(obj).__name__}, not an ASGI application")
    return obj


application = Tracer(
    load_app(_env("COURSE_TRACE_APP")), sink=JsonlSink(_env("COURSE_TRACE_FILE")), keep=0
)
