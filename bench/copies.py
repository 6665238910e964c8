"""Which steps of becoming a daphne copy the fork server's pages, and how many MB each.

    python -m bench.copies           (bench.servers runs it; prints JSON)

A process imports what the fork server imports (``course.live._zygote.preload``, then
``gc.freeze()``), and forks a child that takes a daphne's steps one at a time: a garbage
collection, ``import daphne.server`` (Twisted's reactor), ``django.setup()`` with the demo's
settings (every installed app's models), ``import config.asgi`` (the demo's application).
After each step the parent's private written pages are read: with a single child, the
pages it has copied so far. What a daphne copies while it serves comes after these.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Callable

from course._paths import DEMO_DIR
from course.live import _zygote

KB_PER_MB = 1024


def private_dirty_mb(pid: int) -> float:
    """bench.procs.private_dirty_mb's reading, without psutil: this process stands in for the
    fork server, which never imports it (imported here, it moved django.setup()'s figure by
    0.7 MB: 9.4 against 8.7)."""
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        kb = [int(line.split()[1]) for line in rollup if line.startswith("Private_Dirty:")]
    return round(sum(kb) / KB_PER_MB, 1)


def _setup() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()


STEPS: list[tuple[str, Callable[[], object]]] = [
    ("gc.collect()", lambda: (gc.enable(), gc.collect())),
    ("import daphne.server", lambda: __import__("daphne.server")),
    ("django.setup()", _setup),
    ("import config.asgi", lambda: __import__("config.asgi")),
]


def measure() -> dict[str, float]:
    """MB copied by each step, in order (a step's own new memory is not counted)."""
    sys.path.insert(0, str(DEMO_DIR))
    gc.disable()
    _zygote.preload()
    gc.freeze()
    ready, go = os.pipe(), os.pipe()
    child = os.fork()
    if child == 0:  # the stand-in daphne: a step, then wait for the parent to read
        try:
            for _, step in STEPS:
                os.read(go[0], 1)
                step()
                os.write(ready[1], b".")
            os.read(go[0], 1)  # alive until read: its exit would make every page ours again
        finally:
            os._exit(0)
    copied, before = {}, private_dirty_mb(os.getpid())
    for name, _ in STEPS:
        os.write(go[1], b".")
        if not os.read(ready[0], 1):
            raise RuntimeError(f"the child died at {name}")
        now = private_dirty_mb(os.getpid())
        copied[name], before = round(now - before, 1), now
    os.write(go[1], b".")
    os.waitpid(child, 0)
    return copied


if __name__ == "__main__":
    print(json.dumps(measure()))
