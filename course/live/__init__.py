"""Processes a kernel starts: daphne, uvicorn, Redis, a worker, and windows onto them.

Each survives Jupyter's Interrupt and dies with the kernel, however the kernel ends
(course/live/_spawn.py explains how). Daphne, uvicorn and workers are forked from a fork
server that has imported their libraries once (course/live/forkserver.py). Names load on
first use: serving daphne needs neither redis nor uvicorn imported.
"""

from typing import TYPE_CHECKING

from course._lazy import lazy

if TYPE_CHECKING:
    from course.live.beside import side_by_side
    from course.live.forkserver import run_python
    from course.live.links import allowed_hosts, proxy_url
    from course.live.managed import stop_all
    from course.live.redis_server import RedisServer, start_redis
    from course.live.servers import Server, serve
    from course.live.uvicorn_server import UvicornServer, serve_uvicorn
    from course.live.workers import Worker, start_worker

__getattr__ = lazy(
    __name__,
    {
        "RedisServer": "course.live.redis_server",
        "Server": "course.live.servers",
        "UvicornServer": "course.live.uvicorn_server",
        "Worker": "course.live.workers",
        "allowed_hosts": "course.live.links",
        "proxy_url": "course.live.links",
        "run_python": "course.live.forkserver",
        "serve": "course.live.servers",
        "serve_uvicorn": "course.live.uvicorn_server",
        "side_by_side": "course.live.beside",
        "start_redis": "course.live.redis_server",
        "start_worker": "course.live.workers",
        "stop_all": "course.live.managed",
    },
    globals(),
)

__all__ = [
    "RedisServer",
    "Server",
    "UvicornServer",
    "Worker",
    "allowed_hosts",
    "proxy_url",
    "run_python",
    "serve",
    "serve_uvicorn",
    "side_by_side",
    "start_redis",
    "start_worker",
    "stop_all",
]
