"""Do students on one host hear each other through Redis? One probe process per student.

    python -m bench.crosstalk --me ada --peers 3 --sync DIR [--group lobby] [--messages 10]

Every probe joins a group of the same name, waits until all *peers* have joined, sends
*messages* tagged with its name to that group, and prints one JSON line: whom it heard.
Isolated probes hear themselves only.

- With REDIS_URL set, the layer is the demo project's (``config/settings.py`` reads REDIS_URL
  and COURSE_REDIS_PREFIX): several probes share one Redis and only their prefixes keep
  them apart.
- Without it, each probe starts its own Redis with ``course.start_redis()``, as a kernel
  does (a unix socket in its private folder), and also knocks on the others' sockets: each
  must refuse it (its password). The probes are one OS user, so the folders let them in;
  another user on a hub would not even reach the socket.

The probes meet through files in *DIR* (``joined-<me>``, ``sent-<me>``), so they need no
other channel than the one under test. Used by bench/students.py and tests/bench/test_crosstalk.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import redis as redis_py

WAIT = 60.0  # seconds for the slowest peer to reach a meeting point (8 starting on 2 cores)
QUIET = 1.0  # seconds without a message before a probe stops listening


async def meet(sync: Path, stage: str, me: str, peers: int) -> None:
    """Leave ``<stage>-<me>`` in *sync* and wait until *peers* probes have left theirs."""
    (sync / f"{stage}-{me}").touch()
    deadline = time.monotonic() + WAIT
    while len(_left(sync, f"{stage}-")) < peers:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{me}: not every peer reached {stage!r} within {WAIT:.0f} s")
        await asyncio.sleep(0.05)


async def probe(
    layer: Any, *, me: str, group: str, messages: int, sync: Path, peers: int
) -> Counter[str]:
    """Join *group*, send *messages* to it once everyone has joined, count who was heard."""
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    await meet(sync, "joined", me, peers)
    for n in range(messages):
        await layer.group_send(group, {"type": "probe.message", "sender": me, "n": n})
    await meet(sync, "sent", me, peers)
    heard: Counter[str] = Counter()
    while True:
        try:
            message = await asyncio.wait_for(layer.receive(channel), QUIET)
        except TimeoutError:
            break
        heard[message["sender"]] += 1
    await layer.group_discard(group, channel)
    return heard


def _left(sync: Path, start: str) -> list[Path]:
    """The files in *sync* whose names begin with *start*."""
    return [path for path in sync.iterdir() if path.name.startswith(start)]


def refused_by(sockets: list[str], password: str) -> list[str]:
    """Those of the Redis servers on *sockets* that turn away a client without their password."""
    refused = []
    for path in sockets:
        for attempt in (None, password):  # no password, then this probe's own one
            client = redis_py.Redis(unix_socket_path=path, password=attempt)
            try:
                client.ping()
                break
            except redis_py.AuthenticationError:
                continue
            finally:
                client.close()
        else:
            refused.append(path)
    return refused


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    import course

    sync: Path = args.sync
    report: dict[str, Any] = {"me": args.me, "shared_redis": bool(os.environ.get("REDIS_URL"))}
    if report["shared_redis"]:
        course.setup(migrate=False, quiet=True)
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        report["prefix"] = layer.prefix
        report["heard"] = await probe(layer, **_probe_args(args))
    else:
        from channels_redis.core import RedisChannelLayer

        server = course.start_redis(name=f"crosstalk-{args.me}")
        (sync / f"socket-{args.me}").write_text(str(server.socket_path))
        layer = RedisChannelLayer(**server.channel_layer_config()["CONFIG"])
        report["redis_socket"] = str(server.socket_path)
        report["heard"] = await probe(layer, **_probe_args(args))
        mine = f"socket-{args.me}"
        others = [p.read_text() for p in _left(sync, "socket-") if p.name != mine]
        report["other_redis"] = len(others)
        report["refused_by"] = len(refused_by(others, server.password))
        await meet(sync, "done", args.me, args.peers)  # keep our Redis up while others knock
        server.stop()
    await layer.close_pools()
    return report


def _probe_args(args: argparse.Namespace) -> dict[str, Any]:
    keys = ("me", "group", "messages", "sync", "peers")
    return {key: getattr(args, key) for key in keys}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crosstalk", description=__doc__)
    parser.add_argument("--me", required=True, help="this probe's name")
    parser.add_argument("--peers", type=int, required=True, help="how many probes run at once")
    parser.add_argument("--sync", type=Path, required=True, help="a folder all probes share")
    parser.add_argument("--group", default="lobby", help="the group name every probe joins")
    parser.add_argument("--messages", type=int, default=10, help="messages each probe sends")
    args = parser.parse_args(argv)
    report = asyncio.run(main_async(args))
    print(json.dumps(report))
    alone = report["heard"] == {args.me: args.messages}
    return 0 if alone and report.get("refused_by") == report.get("other_redis") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
