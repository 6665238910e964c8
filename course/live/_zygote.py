"""The fork server's own process: import the servers' libraries once, fork a ready child per server.

Run by ``course.live.forkserver`` as ``python -m course.live._zygote FD``, behind
``_deathsig.py`` (so it dies with the kernel). It imports Django, Channels, daphne's
dependencies, Twisted and uvicorn (``PRELOAD``), but nothing that installs a reactor,
opens an event loop, binds a socket or reads settings: the demo's own modules, its
settings and ``daphne.server`` (which installs Twisted's asyncio reactor on import) load in
each child, as they would in a fresh ``python``. Then it waits on FD, its end of a
``SOCK_SEQPACKET`` socket pair with the kernel, one JSON message a packet:

- kernel → here: ``{"args": [...], "cwd": ..., "env": {...}, "fds": [N, ...]}`` with file
  descriptors attached (the log file first, then one per number in "fds");
- here → kernel: ``{"ready": PID}`` once, ``{"started": PID}`` or ``{"error": TEXT}`` per
  request, and ``{"exited": PID, "status": CODE}`` (Popen's returncode) as children end.

A child leads its own session, gets SIGTERM when this process dies (``PR_SET_PDEATHSIG``),
has the descriptors at the numbers the kernel holds them at (``--fd N`` stays true) and
nothing else open, its own environment, folder, ``sys.path`` and stdio, then runs
``args`` as ``python ARGS...`` would (``-m MODULE ...`` or ``SCRIPT ...``).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import selectors
import signal
import socket
import sys
import threading
import traceback
import warnings
from typing import Any

from course.live import _become, _deathsig

MAX_MESSAGE = 1 << 20
MAX_FDS = 16


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# What daphne, uvicorn and `manage.py runworker` import before they touch the demo project.
PRELOAD = _names(
    "asyncio concurrent.futures http.cookies email.utils json logging.config sqlite3 uuid"
    " twisted.internet.asyncioreactor twisted.internet.tcp twisted.internet.endpoints"
    " twisted.web.http twisted.logger autobahn.twisted.websocket"
    " daphne.access daphne.endpoints daphne.utils daphne.http_protocol daphne.ws_protocol"
    " django.apps django.conf django.core.asgi django.core.handlers.asgi django.core.management"
    " django.core.management.base django.db.models django.db.backends.sqlite3.base"
    " django.contrib.admin django.contrib.auth django.contrib.contenttypes django.contrib.messages"
    " django.contrib.sessions.middleware django.contrib.staticfiles django.http django.urls"
    " django.middleware.security django.middleware.common django.middleware.csrf"
    " django.middleware.clickjacking django.template.backends.django django.views.generic"
    " django.db.migrations.operations django.template.loaders.cached django.templatetags.tz"
    " django.template.loaders.app_directories django.templatetags.cache django.templatetags.l10n"
    " django.template.context_processors django.middleware.http django.views.static"
    " django.views.decorators.http django.core.cache.utils django.contrib.sites.shortcuts"
    " django.contrib.auth.hashers django.contrib.auth.validators django.contrib.staticfiles.utils"
    " django.contrib.messages.storage.fallback django.contrib.sessions.serializers"
    " django.contrib.admin.templatetags.base"
    " channels.routing channels.consumer channels.generic.websocket channels.generic.http"
    " channels.layers channels.db channels.security.websocket channels.sessions channels.worker"
    " channels_redis.core channels_redis.pubsub redis.asyncio"
    " uvicorn.main uvicorn.config uvicorn.server uvicorn.protocols.http.h11_impl"
    " uvicorn.protocols.websockets.websockets_sansio_impl uvicorn.lifespan.on uvicorn.loops.asyncio"
)
# Never here: each would install a reactor or open an event loop every child would share.
NEVER = ("twisted.internet.reactor", "daphne.server")


def preload() -> list[str]:
    """Import PRELOAD; return what failed ("module: error"), e.g. one that reads settings."""
    failed = []
    with warnings.catch_warnings():  # a child's own import would warn; this one is ours
        warnings.simplefilter("ignore")
        for name in PRELOAD:
            try:
                importlib.import_module(name)
            except Exception as error:  # an optional library, or one that needs settings
                failed.append(f"{name}: {error!r}"[:200])
    loaded = [name for name in NEVER if name in sys.modules]
    if loaded or threading.active_count() != 1:
        raise RuntimeError(f"unsafe to fork: {loaded} imported, {threading.active_count()} threads")
    return failed


class Zygote:
    """The loop: requests in, children out, exits reported."""

    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.wake_r, self.wake_w = socket.socketpair()
        for end in (self.wake_r, self.wake_w):
            end.setblocking(False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(control, selectors.EVENT_READ)
        self.selector.register(self.wake_r, selectors.EVENT_READ)
        self.base_path = list(sys.path)

    def send(self, message: dict[str, Any]) -> None:
        self.control.send(json.dumps(message).encode())

    def run(self) -> int:
        """Serve until the kernel closes its end (then the children die with us)."""
        signal.set_wakeup_fd(self.wake_w.fileno())
        signal.signal(signal.SIGCHLD, lambda *_: None)  # only to wake the selector
        self.send({"ready": os.getpid()})
        while True:
            for key, _ in self.selector.select():
                if key.fileobj is self.wake_r:
                    with contextlib.suppress(BlockingIOError):
                        while self.wake_r.recv(4096):
                            pass
                    continue
                message, fds, _, _ = socket.recv_fds(self.control, MAX_MESSAGE, MAX_FDS)
                if not message:
                    return 0
                self.send(self.fork(json.loads(message), fds))
            self.reap()

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.send({"exited": pid, "status": os.waitstatus_to_exitcode(status)})

    def fork(self, request: dict[str, Any], fds: list[int]) -> dict[str, Any]:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        me = os.getpid()
        try:
            pid = os.fork()
        except OSError as error:
            for fd in fds:
                os.close(fd)
            return {"error": f"fork failed: {error}"}
        if pid == 0:
            os._exit(self.child(request, fds, parent=me))
        for fd in fds:
            os.close(fd)
        return {"started": pid}

    # -- in the child ----------------------------------------------------------------------

    def child(self, request: dict[str, Any], fds: list[int], parent: int) -> int:
        """Become the server *request* asks for; return its exit status. Never raises."""
        try:
            _become.set_name(_become.label(request["args"]))  # at once: ps shows what it is
            os.setsid()
            _deathsig.set_parent_death_signal()
            if os.getppid() != parent:
                return _deathsig.ORPHANED
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            self.selector.close()
            for end in (self.control, self.wake_r, self.wake_w):
                end.close()
            _become.prepare(request, fds, self.base_path)
            gc.enable()
        except BaseException:
            traceback.print_exc()
            return 1
        return _become.run_python(request["args"])


def main(argv: list[str]) -> int:
    if sys.path and os.path.abspath(sys.path[0]) == os.getcwd():
        del sys.path[0]  # `python -m` put our folder first; a child gets its own
    control = socket.socket(fileno=int(argv[0]))
    _become.set_name("forkserver")
    gc.disable()  # no collections while importing: fewer holes for a child to write into
    failed = preload()
    if failed:
        print("not preloaded (they load in each child):", *failed, sep="\n  ", flush=True)
    gc.freeze()  # the preloaded objects stay out of every collection: their pages stay shared
    return Zygote(control).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
