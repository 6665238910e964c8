"""``course.setup()``, a lesson's first cell: the demo project ready, plain tracebacks, and
the servers' fork server booting in the background.

``course.environment.setup`` configures Django (checks and the doctor call it directly);
this adds what only a lesson wants:

- the kernel's first ``course.serve()``, ``start_worker()`` or ``serve_uvicorn()`` should
  not wait ~0.5 s for the fork server (``course.live.forkserver``) to import Django,
  Channels and Twisted: it boots while the student reads. A lesson that starts no server
  says ``course.setup(servers=False)`` and keeps the memory (~45 MB);
- a cell that fails shows Python's own traceback (``%xmode Plain``), a line of code a
  frame. IPython's default (``Context``) reads, parses and highlights every library file a
  traceback passes through: a first ``SynchronousOnlyOperation`` took 1-3 s to show, and
  five lines a frame. ``%xmode Context`` brings it back.
"""

from course import environment
from course.display import ipython_shell
from course.live import forkserver


def setup(*, servers: bool = True, migrate: bool = True, quiet: bool = False) -> None:
    """Configure Django for the demo project and show plain tracebacks; with *servers*,
    boot the fork server now, in the background. Safe to run again."""
    environment.setup(migrate=migrate, quiet=quiet)
    _plain_tracebacks()
    if servers:
        forkserver.warm()


def _plain_tracebacks() -> None:
    """``%xmode Plain``, unless the student chose a mode other than IPython's default."""
    traceback = getattr(ipython_shell(), "InteractiveTB", None)
    if traceback is not None and traceback.mode == "Context":
        traceback.set_mode("Plain")
