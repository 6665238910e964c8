"""Processes, read from Linux's /proc: who descends from whom, how much memory, which marker.

The bench measures the kernel and everything it started; the soak counts what a killed
kernel left behind. Both only read /proc (no dependency beyond the standard library).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    name: str
    started: int  # clock ticks after boot: a pid plus this names one process, even if reused


def _read(pid: int, what: str) -> bytes:
    try:
        return (PROC / str(pid) / what).read_bytes()
    except OSError:  # gone, or not ours to read
        return b""


def info(pid: int) -> Proc | None:
    stat = _read(pid, "stat").decode(errors="replace")
    if not stat:
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ")".
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] == "Z":  # a zombie holds no memory and runs no code
        return None
    return Proc(pid, int(fields[1]), name, int(fields[19]))


def every() -> list[Proc]:
    found = []
    for entry in os.listdir(PROC):
        if entry.isdigit() and (proc := info(int(entry))) is not None:
            found.append(proc)
    return found


def descendants(root: int, table: list[Proc] | None = None) -> list[Proc]:
    """Every living process below *root* (children, grandchildren, ...)."""
    table = every() if table is None else table
    children: dict[int, list[Proc]] = {}
    for proc in table:
        children.setdefault(proc.ppid, []).append(proc)
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child.pid)
    return found


def _field_mb(pid: int, what: str, field: str) -> float:
    for line in _read(pid, what).decode(errors="replace").splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mb(pid: int) -> float:
    """Resident memory of *pid* in MiB (0 if it is gone); pages shared with others count whole."""
    return _field_mb(pid, "status", "VmRSS:")


def pss_mb(pid: int) -> float:
    """Proportional memory of *pid* in MiB: each shared page split among its sharers, so
    the sum over processes is what they use together."""
    return _field_mb(pid, "smaps_rollup", "Pss:")


def command(pid: int) -> str:
    return _read(pid, "cmdline").replace(b"\0", b" ").decode(errors="replace").strip()


def environ_value(pid: int, name: str) -> str | None:
    """The value of *name* in *pid*'s environment, or None."""
    prefix = f"{name}=".encode()
    for item in _read(pid, "environ").split(b"\0"):
        if item.startswith(prefix):
            return item.removeprefix(prefix).decode(errors="replace")
    return None


def has_marker(pid: int, marker: str) -> bool:
    """True if *pid*'s environment holds *marker* (a ``NAME=value`` string)."""
    return marker.encode() in _read(pid, "environ").split(b"\0")


def alive(proc: Proc) -> bool:
    """True if the very process *proc* still runs (not a new one that reuses its pid)."""
    now = info(proc.pid)
    return now is not None and now.started == proc.started


def kind(proc: Proc) -> str:
    """What a process is, for a reader: daphne, uvicorn, worker, pytest, redis-server, ..."""
    words = command(proc.pid).split()
    for known, name in (("daphne", "daphne"), ("uvicorn", "uvicorn"), ("runworker", "worker")):
        if known in words:
            return name
    if "pytest" in words:
        return "pytest"
    if "ipykernel_launcher" in words:
        return "kernel"
    return proc.name
