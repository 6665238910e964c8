"""``trace(app)``: the scope and the events of your own traffic, drawn and tabled.

A ``Tracer`` wraps an ASGI app and records each ``Connection`` (one scope) and its
``Event``s; a ``Trace`` is a list of them, read from a Tracer or from a server's file.
"""

from course.tracing.model import Connection, Event, Trace
from course.tracing.render import short
from course.tracing.served import subprocess_env
from course.tracing.tracer import Tracer, call, trace

__all__ = ["Connection", "Event", "Trace", "Tracer", "call", "short", "subprocess_env", "trace"]
