"""Tracing an app that a server subprocess runs: it writes JSON lines, the kernel reads them.

``subprocess_env(app, file)`` gives what the server serves instead of ``app``
(course/tracing/app.py wraps ``app`` in a Tracer) and the environment that says where to write;
``Trace.from_file(file)`` reads the connections back.
"""

from pathlib import Path

APP = "course.tracing.app:application"


def subprocess_env(app: str, trace_file: Path) -> tuple[str, dict[str, str]]:
    """What a server subprocess serves to trace ``app`` ("module:attr"), and the env it needs."""
    return APP, {
        "COURSE_TRACE_APP": app,
        "COURSE_TRACE_FILE": str(trace_file),
    }


__all__ = ["APP", "subprocess_env"]
