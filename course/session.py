"""``course.setup()``, a lesson's first cell: the demo project ready, and its servers' fork
server booting in the background.

``course.environment.setup`` configures Django (checks and the doctor call it directly);
this adds what only a lesson wants: the kernel's first ``course.serve()``,
``start_worker()`` or ``serve_uvicorn()`` should not wait ~0.5 s for the fork server
(``course.live.forkserver``) to import Django, Channels and Twisted. It boots while the
student reads. A lesson that starts no server says ``course.setup(servers=False)`` and
keeps the memory (~45 MB).
"""

from course import environment
from course.live import forkserver


def setup(*, servers: bool = True, migrate: bool = True, quiet: bool = False) -> None:
    """Configure Django for the demo project; with *servers*, boot the fork server now, in
    the background. Safe to run again."""
    environment.setup(migrate=migrate, quiet=quiet)
    if servers:
        forkserver.warm()
