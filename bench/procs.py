"""Processes, through psutil: who descends from whom, how much memory, which marker, which port.

bench/memory.py measures the kernel and everything it started; bench/soak.py counts what a
killed kernel left behind; bench/students.py samples each student's processes (``Sampler``).
A process is a ``psutil.Process``, which knows its start time: a new process that reuses a
pid is never taken for the old one. Zombies (no memory, no code running) are left out.
PSS is Linux's; elsewhere it reads 0.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeAlias, TypeVar

import psutil

Proc: TypeAlias = psutil.Process
T = TypeVar("T")
MB = 1024 * 1024
MARKER = "COURSE_BENCH_STUDENT"  # bench/students.py: which student a process belongs to
KINDS = ("daphne", "redis-server", "uvicorn", "runworker", "ipykernel", "chrom")


def _ask(question: Callable[[], T], otherwise: T) -> T:
    """*question*'s answer, or *otherwise* if the process is gone or not ours to read."""
    try:
        return question()
    except psutil.Error:
        return otherwise


def alive(proc: Proc) -> bool:
    """True if the very process *proc* still runs: not a zombie, not a new one with its pid."""
    zombie = psutil.STATUS_ZOMBIE
    return bool(proc.is_running()) and _ask(proc.status, zombie) != zombie


def _living(procs: Iterable[Proc]) -> list[Proc]:
    return [proc for proc in procs if alive(proc)]


def info(pid: int) -> Proc | None:
    proc = _ask(lambda: psutil.Process(pid), None)
    return proc if proc is not None and alive(proc) else None


def every() -> list[Proc]:
    return _living(psutil.process_iter())


def descendants(root: int) -> list[Proc]:
    """Every living process below *root* (children, grandchildren, ...)."""
    return _living(_ask(lambda: psutil.Process(root).children(recursive=True), []))


def rss_mb(proc: Proc) -> float:
    """Resident memory in MiB (0 if gone); pages shared with others count whole."""
    return _ask(lambda: proc.memory_info().rss / MB, 0.0)


def pss_mb(proc: Proc) -> float:
    """Proportional memory in MiB: each shared page split among its sharers, so the sum
    over processes is what they use together."""
    return _ask(lambda: getattr(proc.memory_full_info(), "pss", 0) / MB, 0.0)


def private_dirty_mb(proc: Proc) -> float:
    """Written memory in MiB that this process alone holds (Linux; 0 if gone or elsewhere):
    in a fork server, the pages each of its children has written to, and so copied."""
    try:
        with open(f"/proc/{proc.pid}/smaps_rollup") as rollup:
            kb = [int(line.split()[1]) for line in rollup if line.startswith("Private_Dirty:")]
    except (OSError, ValueError, IndexError):
        return 0.0
    return sum(kb) / 1024


def name(proc: Proc) -> str:
    return _ask(proc.name, "")


def command(proc: Proc) -> str:
    return " ".join(_ask(proc.cmdline, []))


def shown(proc: Proc, width: int = 120) -> str:
    """The command line as a committed report may hold it: the program by name, not by the
    path of one machine's virtualenv (``python -m daphne ...``, ``redis-server ...``)."""
    argv: list[str] = _ask(proc.cmdline, [])
    if not argv:
        return name(proc)
    return " ".join([os.path.basename(argv[0]), *argv[1:]])[:width]


def environ_value(proc: Proc, key: str) -> str | None:
    """The value of *key* in *proc*'s environment, or None."""
    environ: dict[str, str] = _ask(proc.environ, {})
    return environ.get(key)


def has_marker(proc: Proc, marker: str) -> bool:
    """True if *proc*'s environment holds *marker* (a ``NAME=value`` string)."""
    key, _, value = marker.partition("=")
    return environ_value(proc, key) == value


def listening(proc: Proc) -> list[int]:
    """The TCP ports *proc* listens on."""
    connections: list[Any] = _ask(functools.partial(proc.net_connections, kind="tcp"), [])
    return [c.laddr.port for c in connections if c.status == psutil.CONN_LISTEN]


def kind(proc: Proc) -> str:
    """What a process is, for a reader: daphne, uvicorn, worker, pytest, redis-server, ..."""
    # A server forked by the fork server keeps its command line; its name says what it is.
    words = [*command(proc).split(), name(proc)]
    for known, what in (("daphne", "daphne"), ("uvicorn", "uvicorn"), ("runworker", "worker")):
        if known in words:
            return what
    if "pytest" in words:
        return "pytest"
    if "ipykernel_launcher" in words:
        return "kernel"
    return name(proc)


class Sampler(threading.Thread):
    """Samples, every 0.25 s, the memory of each student's processes and their TCP ports.

    A student's processes (kernels, daphnes, redis-servers, workers, Chromium) carry MARKER
    in their environment, or descend from one that does.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.owners: dict[Proc, str | None] = {}  # a Process is its pid and start time
        self.peak_mb = 0.0  # PSS: each shared page split between the processes sharing it
        self.peak_mb_by: dict[str, float] = {}
        self.peak_rss_mb = 0.0  # RSS summed: shared pages counted once per process
        self.ports: dict[str, dict[int, str]] = {}  # student -> port -> kind of process
        self.clashes: list[tuple[int, list[str]]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.25):
            self.sample()

    def owner(self, proc: Proc) -> str | None:
        """The student whose environment *proc* inherited, else its parent's owner
        (redis-server writes its process title over its environment)."""
        if proc not in self.owners:
            parent = _ask(proc.parent, None)
            found = environ_value(proc, MARKER)
            self.owners[proc] = found or (self.owner(parent) if parent and parent.pid > 1 else None)
        return self.owners[proc]

    def sample(self) -> None:
        memory: dict[str, float] = {}
        rss = 0.0
        holders: dict[int, set[str]] = {}
        for proc in every():
            student = self.owner(proc)
            if student is None:
                continue
            memory[student] = memory.get(student, 0) + pss_mb(proc)
            rss += rss_mb(proc)
            what = next((k for k in KINDS if k in f"{command(proc)} {name(proc)}"), "other")
            for port in listening(proc):
                holders.setdefault(port, set()).add(student)
                held = self.ports.setdefault(student, {})  # a kernel binds daphne's socket,
                if held.get(port, "ipykernel") == "ipykernel":  # then hands it on
                    held[port] = what
        self.peak_mb = max(self.peak_mb, sum(memory.values()))
        self.peak_rss_mb = max(self.peak_rss_mb, rss)
        for student, mb in memory.items():
            self.peak_mb_by[student] = max(self.peak_mb_by.get(student, 0), mb)
        self.clashes += [(port, sorted(who)) for port, who in holders.items() if len(who) > 1]
