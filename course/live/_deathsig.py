"""Exec wrapper: die with the parent, then become the real command.

Run as ``python _deathsig.py PARENT_PID [--memory-mb N] -- COMMAND ARGS...`` (by file
path, with ``-I -S``, so it needs nothing but the standard library). On Linux it asks the
kernel to send SIGTERM when the parent dies (``prctl(PR_SET_PDEATHSIG)``), checks that the
parent has not died already, and ``execvp``s the command, which keeps the death signal, the
pid and every inherited file descriptor. With ``--memory-mb`` it first caps the command's
data size (``RLIMIT_DATA``, soft and hard, so the command cannot raise it again): the grader
runs each student's kernel this way, and a memory bomb ends in MemoryError. It does this
here, in a fresh process, because ``subprocess``'s ``preexec_fn`` is unsafe in a threaded
process such as a Jupyter kernel.

Elsewhere (macOS, BSD) there is no such call: the command just runs, and only the
toolkit's atexit handler stops it, so a kernel killed with SIGKILL leaves it running.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
import signal
import sys

PR_SET_PDEATHSIG = 1
USAGE = "usage: _deathsig.py PARENT_PID [--memory-mb N] -- COMMAND [ARGS...]"
# Exit status when the parent was gone before the death signal was armed.
ORPHANED = 75


def set_parent_death_signal(sig: int = signal.SIGTERM) -> bool:
    """Ask Linux to send *sig* to this process when its parent thread exits."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
    return True


def main(argv: list[str]) -> int:
    """Arm the death signal and exec the command; return only on a usage error."""
    memory_mb = None
    if len(argv) > 2 and argv[1] == "--memory-mb" and argv[2].isdigit():
        memory_mb, argv = int(argv[2]), argv[:1] + argv[3:]
    if len(argv) < 3 or argv[1] != "--" or not argv[0].isdigit():
        print(USAGE, file=sys.stderr)
        return 2
    parent, command = int(argv[0]), argv[2:]
    if memory_mb is not None:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    set_parent_death_signal()
    # The parent may have died between fork and prctl: then nothing would ever signal us.
    if os.getppid() != parent:
        print(f"_deathsig: parent {parent} is gone, not starting {command[0]}", file=sys.stderr)
        return ORPHANED
    os.execvp(command[0], command)
    return 127  # not reached: execvp returns only by raising


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
