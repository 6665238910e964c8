"""Who listens where, and how much memory (PSS): /proc, sampled, per student of bench/students.py.

A student's processes are found by an environment variable (MARKER) they inherit, or by their
parent's: kernels, daphnes, redis-servers, workers, Chromium. Linux only.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from bench import procs

MARKER = "COURSE_BENCH_STUDENT"
KINDS = ("daphne", "redis-server", "uvicorn", "runworker", "ipykernel", "chrom")


class Sampler(threading.Thread):
    """Samples /proc: memory per student, and which student listens on which port."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.owners: dict[tuple[int, str], str | None] = {}
        self.peak_mb = 0.0  # PSS: each shared page split between the processes sharing it
        self.peak_mb_by: dict[str, float] = {}
        self.peak_rss_mb = 0.0  # RSS summed: shared pages counted once per process
        self.ports: dict[str, dict[int, str]] = {}  # student -> port -> kind of process
        self.clashes: list[tuple[int, list[str]]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.25):
            self.sample()

    def owner(self, pid: int) -> str | None:
        """The student whose environment *pid* inherited, else its parent's owner (redis-server
        writes its process title over its environment)."""
        proc = procs.info(pid)
        if proc is None:  # gone, or a zombie
            return None
        key = (pid, proc.started)  # the start time tells a reused pid apart
        if key not in self.owners:
            found = procs.environ_value(pid, MARKER)
            self.owners[key] = found or (self.owner(proc.ppid) if proc.ppid > 1 else None)
        return self.owners[key]

    def sample(self) -> None:
        listening = _listening()
        memory: dict[str, float] = {}
        rss = 0.0
        holders: dict[int, set[str]] = {}
        for entry in Path("/proc").iterdir():
            try:
                name = self.owner(int(entry.name)) if entry.name.isdigit() else None
                if name is None:
                    continue
                pid = int(entry.name)
                memory[name] = memory.get(name, 0) + procs.pss_mb(pid)
                rss += procs.rss_mb(pid)
                cmdline = procs.command(pid)
                kind = next((k for k in KINDS if k in cmdline), "other")
                for fd in (entry / "fd").iterdir():
                    port = listening.get(os.readlink(fd))
                    if port:
                        holders.setdefault(port, set()).add(name)
                        held = self.ports.setdefault(name, {})  # a kernel binds daphne's
                        if held.get(port, "ipykernel") == "ipykernel":  # socket, then hands it on
                            held[port] = kind
            except (OSError, ValueError):  # the process ended while we looked, or is not ours
                continue
        self.peak_mb = max(self.peak_mb, sum(memory.values()))
        self.peak_rss_mb = max(self.peak_rss_mb, rss)
        for name, mb in memory.items():
            self.peak_mb_by[name] = max(self.peak_mb_by.get(name, 0), mb)
        self.clashes += [(port, sorted(who)) for port, who in holders.items() if len(who) > 1]


def _listening() -> dict[str, int]:
    """``socket:[inode]`` → port, for every listening TCP socket on this host."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                found[f"socket:[{fields[9]}]"] = int(fields[1].rsplit(":", 1)[1], 16)
    return found
