"""What a server start costs: seconds until it answers, and the memory of a kernel's servers.

    python -m bench.servers [--runs 7]        (part of `make bench`)

Side by side in one process (a stand-in kernel), on the same machine, rounds alternating:

- ``python -c pass``: a bare interpreter's start, the floor;
- ``course.serve()`` of the demo until it answers, *spawned* (``COURSE_FORK_SERVER=0``:
  each start imports everything itself, as every start did before the fork server),
  *forked* (the fork server already up), and *first* (the kernel's first start, which
  boots the fork server);
- the PSS of a lesson-08 kernel's servers: a Redis and two daphnes on it, each having
  served a page and a chat WebSocket; forked, the fork server counts too; and the same for
  a lesson that serves the demo alone (one daphne, no Redis);
- how much of the forked PSS is copies: with two daphnes, the fork server's private written
  pages are those both wrote to (CPython 3.11 writes an object's reference count, and a
  function's warm-up counters, wherever it is used) and so copied; with no page ever
  copied, the servers would hold the forked PSS less two of those; and which of a daphne's
  steps copy how much before it serves (``bench.copies``).

Writes ``server_start`` {python, spawned, forked, first: seconds; spawned_ratio,
forked_ratio, first_ratio: ÷ python} and ``servers_pss`` {spawned_mb, forked_mb,
forked_processes, one_daphne_spawned_mb, one_daphne_forked_mb, copied_by_both_mb,
no_copy_floor_mb, copied_by_step}
into bench/results.json, each the median of ``--runs`` rounds (PSS: of 3).
Goals: forked ≤ 5× python; forked_mb ≤ 60.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import httpx
from websockets.sync.client import connect

from bench import procs, results
from course.live import forkserver
from course.live.managed import stop_all
from course.live.redis_server import start_redis
from course.live.servers import serve

PSS_ROUNDS = 3


@contextlib.contextmanager
def mode(forked: bool) -> Iterator[None]:
    """Starts forked or spawned while inside."""
    before = os.environ.pop(forkserver.SWITCH, None)
    if not forked:
        os.environ[forkserver.SWITCH] = "0"
    try:
        yield
    finally:
        os.environ.pop(forkserver.SWITCH, None)
        if before is not None:
            os.environ[forkserver.SWITCH] = before


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def python_start() -> float:
    return timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))


def serve_start(forked: bool, first: bool = False) -> float:
    """Seconds from ``serve()`` to an answering demo (stopping it is not counted)."""
    if first:
        forkserver.shutdown()
    with mode(forked):
        server = None

        def start() -> None:
            nonlocal server
            server = serve(name="bench-start")

        took = timed(start)
        assert server is not None
        server.stop()
    return took


def chat(url: str, origin: str) -> None:
    """A page, then a chat WebSocket: joining sends the room's group a "join" through Redis."""
    httpx.get(url.replace("ws://", "http://").split("ws/")[0] + "chat/lobby/").raise_for_status()
    with connect(url, origin=origin, open_timeout=10) as ws:
        ws.send('{"type": "history", "after": 0}')
        ws.recv(timeout=10)


def kernel_servers_pss(
    forked: bool, daphnes: int = 2
) -> tuple[float, list[tuple[str, float]], float]:
    """PSS (MB) of a Redis and *daphnes* daphnes on it, after each served a little (without
    Redis for one daphne: a lesson that serves the demo alone); who held it; and the fork
    server's private written pages (0 spawned): with two children, those both copied."""
    forkserver.shutdown()  # forked: the first serve() boots it, and it counts
    with mode(forked):
        env = start_redis(name="bench-redis").env() if daphnes > 1 else {}
        for i in range(daphnes):
            daphne = serve(name=f"bench-daphne-{i}", env=env)
            chat(daphne.ws_url("ws/chat/lobby/"), daphne.url.rstrip("/"))
        time.sleep(1)
        found = procs.descendants(os.getpid())
        shares = [(procs.kind(p), procs.pss_mb(p)) for p in found]
        copied = sum(procs.private_dirty_mb(p) for p in found if procs.kind(p) == "forkserver")
        stop_all()
    forkserver.shutdown()
    return sum(mb for _, mb in shares), sorted(shares, key=lambda s: -s[1]), copied


def copied_by_step() -> dict[str, float]:
    """MB of the fork server's pages each step of becoming a daphne copies (bench.copies),
    in a process of its own: it imports what the fork server does."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.copies"], capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    args = results.arguments(__doc__ or "", 7, argv)
    took: dict[str, list[float]] = {"python": [], "spawned": [], "first": [], "forked": []}
    for _ in range(args.runs):  # one of each a round, so a busy moment hits them all
        took["python"].append(python_start())
        took["spawned"].append(serve_start(forked=False))
        took["first"].append(serve_start(forked=True, first=True))
        took["forked"].append(serve_start(forked=True))
    start = {name: round(statistics.median(times), 3) for name, times in took.items()}
    for name in ("spawned", "forked", "first"):
        start[f"{name}_ratio"] = round(start[name] / start["python"], 1)
    spawned: list[float] = []
    forked: list[float] = []
    held: list[list[tuple[str, float]]] = []
    copied: list[float] = []
    alone: dict[str, list[float]] = {"spawned": [], "forked": []}
    for _ in range(PSS_ROUNDS):
        spawned.append(kernel_servers_pss(forked=False)[0])
        total, shares, both_copied = kernel_servers_pss(forked=True)
        forked.append(total)
        held.append(shares)
        copied.append(both_copied)
        for name, fork in (("spawned", False), ("forked", True)):
            alone[name].append(kernel_servers_pss(forked=fork, daphnes=1)[0])
    middle = sorted(range(PSS_ROUNDS), key=lambda i: forked[i])[PSS_ROUNDS // 2]
    pss = {
        "spawned_mb": round(statistics.median(spawned), 1),
        "forked_mb": round(statistics.median(forked), 1),
        "forked_processes": [[name, round(mb, 1)] for name, mb in held[middle]],
        "one_daphne_spawned_mb": round(statistics.median(alone["spawned"]), 1),
        "one_daphne_forked_mb": round(statistics.median(alone["forked"]), 1),
        # Pages both daphnes copied: three copies where, unwritten, one would do.
        "copied_by_both_mb": round(copied[middle], 1),
        "no_copy_floor_mb": round(forked[middle] - 2 * copied[middle], 1),
        "copied_by_step": copied_by_step(),
    }
    results.show({**start, **pss})
    results.update("servers", {"server_start": start, "servers_pss": pss})
    return 0


if __name__ == "__main__":
    sys.exit(main())
