"""A server's pages side by side in the notebook's output: two people in one room.

>>> course.side_by_side(server, path="chat/lobby/")          # two windows, one server
>>> course.side_by_side(a, b, path="chat/lobby/")            # one window on each server

Each window is an ``<iframe>`` of the page through jupyter-server-proxy
(``<prefix>proxy/PORT/chat/lobby/``): the same origin as JupyterLab, so the browser
may frame it (the demo sends ``X-Frame-Options: SAMEORIGIN``), and reachable on a hub
or Binder, where the browser cannot see the kernel's 127.0.0.1. Each window is a
connection of its own, so the room sees two people, whose messages, the notebook's
own ``group_send`` and the server's trace can be watched meeting.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from course.live import links

if TYPE_CHECKING:
    from course.live.servers import Server

__all__ = ["SideBySide", "Window", "side_by_side"]


@dataclass(frozen=True)
class Window:
    """One page of a server, as the notebook shows it."""

    title: str
    src: str  # what the iframe loads: the proxy path in Jupyter, else the direct URL


class SideBySide:
    """Windows next to each other; HTML in JupyterLab, their URLs as plain text elsewhere."""

    def __init__(self, windows: Sequence[Window], height: int = 360) -> None:
        self.windows = list(windows)
        self.height = int(height)

    def _repr_html_(self) -> str:
        esc = html.escape
        figures = "".join(
            '<figure style="flex:1 1 0;min-width:260px;margin:0">'
            f"<figcaption><b>{esc(w.title)}</b> · "
            f'<a href="{esc(w.src)}" target="_blank">{esc(w.src)}</a></figcaption>'
            f'<iframe src="{esc(w.src)}" title="{esc(w.title)}" loading="eager" '
            f'style="width:100%;height:{self.height}px;border:1px solid #bbb"></iframe>'
            "</figure>"
            for w in self.windows
        )
        return f'<div class="course-side-by-side" style="display:flex;gap:12px">{figures}</div>'

    def __repr__(self) -> str:
        return "\n".join(f"{w.title}: {w.src}" for w in self.windows)


def side_by_side(
    *servers: Server,
    path: str = "",
    people: int = 2,
    titles: Sequence[str] = (),
    height: int = 360,
) -> SideBySide:
    """*people* windows (at least one per server) on the page *path*, servers taken in turn.

    Inside Jupyter the windows load the page through jupyter-server-proxy; elsewhere
    (a script, a test) they hold the direct URL, which a browser on this machine can open.
    """
    if not servers:
        raise TypeError("side_by_side() needs at least one server: side_by_side(server, path=...)")
    stopped = [server.name for server in servers if not server.running]
    if stopped:
        raise RuntimeError(f"not running: {', '.join(map(repr, stopped))}; start it with serve()")
    count = max(people, len(servers))
    proxied = links.in_jupyter()
    windows = []
    for i in range(count):
        server = servers[i % len(servers)]
        title = titles[i] if i < len(titles) else f"Person {i + 1} · server {server.name!r}"
        src = server.proxy_url(path) if proxied else server.url + path.lstrip("/")
        windows.append(Window(title, src))
    return SideBySide(windows, height)
