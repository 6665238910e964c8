"""What a forked child does to become ``python ARGS...``: the fork server's other half.

``course.live._zygote`` forks and names the child; it calls ``prepare`` (descriptors, folder,
environment, ``sys.path``, stdio) and then ``run_python``, which runs ``-m MODULE ...``
or ``SCRIPT ...`` with runpy, as the interpreter would, exit handlers included.
What a fresh interpreter would do differently: its ``sys.flags`` and hash seed are the
fork server's, and ``PYTHON*`` variables other than PYTHONPATH and PYTHONUNBUFFERED in the
new environment have no effect (the servers' commands rely on no other).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import io
import os
import runpy
import sys
import threading
from typing import Any, TextIO, cast

PR_SET_NAME = 15


def prepare(request: dict[str, Any], fds: list[int], base_path: list[str]) -> None:
    """All but running it: *fds* are the log file, then the passed descriptors."""
    place_fds(fds[0], dict(zip(request["fds"], fds[1:], strict=True)))
    env: dict[str, str] = request["env"]
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(env)
    set_stdio(unbuffered=bool(env.get("PYTHONUNBUFFERED")))
    extra = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[:] = [*extra, *base_path]


def set_name(name: str) -> None:
    """The process's name in ``ps``/psutil (15 bytes), so a forked daphne reads "daphne"."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)


def label(args: list[str]) -> str:
    """ "daphne" for ``-m daphne ...``, "runworker" for ``manage.py runworker ...``."""
    if args[0] == "-m":
        return args[1].rsplit(".", 1)[-1]
    return args[1] if len(args) > 1 and not args[1].startswith("-") else os.path.basename(args[0])


def place_fds(log: int, wanted: dict[int, int]) -> None:
    """Log on stdout and stderr, each passed descriptor at its number, nothing else open."""
    os.dup2(log, 1)
    os.dup2(log, 2)
    # First out of the way (above every number in play), then each to its own number.
    high = max([log, *wanted, *wanted.values()]) + 1
    moved = {target: fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, high) for target, fd in wanted.items()}
    for target, fd in moved.items():
        os.dup2(fd, target)  # inheritable, as subprocess's pass_fds leaves them
    keep = {0, 1, 2, *wanted}
    for name in os.listdir("/proc/self/fd"):  # listdir's own descriptor is gone: ignored
        if int(name) not in keep:
            with contextlib.suppress(OSError):
                os.close(int(name))


def set_stdio(unbuffered: bool) -> None:
    """Fresh sys.stdout and sys.stderr on descriptors 1 and 2, unbuffered as ``-u`` makes them."""
    encoding = sys.stdout.encoding if sys.stdout else "utf-8"
    streams: list[TextIO] = []
    for fd, errors in ((1, "strict"), (2, "backslashreplace")):
        raw = io.FileIO(fd, "w", closefd=False)
        buffer: io.RawIOBase | io.BufferedWriter = raw if unbuffered else io.BufferedWriter(raw)
        streams.append(
            io.TextIOWrapper(
                cast(Any, buffer),
                encoding=encoding,
                errors=errors,
                line_buffering=fd == 2 and not unbuffered,
                write_through=unbuffered,
            )
        )
    for name, stream in zip(("stdout", "stderr"), streams, strict=True):
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def run_python(args: list[str]) -> int:
    """Run ``python ARGS...`` in this process, exit handlers included; return its status."""
    code = 0
    try:
        if args[0] == "-m":
            sys.argv = [args[1], *args[2:]]  # runpy puts the module's file in argv[0]
            sys.path.insert(0, os.getcwd())
            runpy.run_module(args[1], run_name="__main__", alter_sys=True)
        else:
            sys.argv = list(args)
            sys.path.insert(0, os.path.dirname(os.path.abspath(args[0])))
            runpy.run_path(args[0], run_name="__main__")
    except SystemExit as done:
        code = exit_code(done.code)
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    finally:
        try:
            getattr(threading, "_shutdown", lambda: None)()  # join non-daemon threads
            atexit._run_exitfuncs()
        finally:
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
    return code


def exit_code(code: object) -> int:
    """What ``sys.exit(code)`` makes the process's status."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1
