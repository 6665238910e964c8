"""A server's pages side by side in the notebook's output: two people in one room.

>>> course.side_by_side(server, path="chat/lobby/")          # two windows, one server
>>> course.side_by_side(a, b, path="chat/lobby/")            # one window on each server

Each window is an ``<iframe>`` of the page through jupyter-server-proxy
(``<prefix>proxy/PORT/chat/lobby/``): the same origin as JupyterLab, so the browser
may frame it (the demo sends ``X-Frame-Options: SAMEORIGIN``), and reachable on a hub
or Binder, where the browser cannot see the kernel's 127.0.0.1. Each window is a
connection of its own, so the room sees two people, whose messages, the notebook's
own ``group_send`` and the server's trace can be watched meeting.

A window outlives its server: a lesson stops its servers at the end, a kernel restart
stops them all, and a saved notebook is reopened with none running. Behind the proxy a
server that is gone shows as Jupyter's own "500 : Internal Server Error" page, and a
page whose WebSocket the proxy dropped as "Closed with code 1005". So the output holds no
bare iframe: its static HTML says, in words, that the server is not running and which
cell brings it back, and a small script (JupyterLab runs the scripts of trusted outputs
only: the ones run or saved in this lab) asks the server first and opens the iframe
only if it answers. While the window is open, the script watches the page's status
line (the chat room's ``#status``) and its navigations; when the page's socket closes
or it loads another page, it asks again, and shows the words once the server is gone.
A reopened untrusted notebook runs no script: the static words are what it shows.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from course.live import links

if TYPE_CHECKING:
    from course.live.servers import Server

__all__ = ["SideBySide", "Window", "side_by_side"]

# The windows' script (course/live/beside.js): asks each server before opening its window.
_SCRIPT = Path(__file__).with_name("beside.js").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Window:
    """One page of a server, as the notebook shows it."""

    title: str
    src: str  # what the iframe loads: the proxy path in Jupyter, else the direct URL
    server: str = ""  # the server's name, for the words shown when it is not running
    restart: str = ""  # the call that starts it again, e.g. "course.serve(name='a', ...)"


def _restart_call(server: Server) -> str:
    """How the student started *server*, as far as it can tell: the call to run again."""
    from course.live.servers import DEFAULT_APP

    function = "course.serve_uvicorn" if server.kind == "uvicorn" else "course.serve"
    if server.name == server.app:
        return f"{function}()" if server.app == DEFAULT_APP else f"{function}({server.app!r}, ...)"
    return f"{function}(name={server.name!r}, ...)"


class SideBySide:
    """Windows next to each other; HTML in JupyterLab, their URLs as plain text elsewhere."""

    def __init__(self, windows: Sequence[Window], height: int = 360) -> None:
        self.windows = list(windows)
        self.height = int(height)

    def _stopped_words(self, window: Window) -> str:
        """What a window shows while its server is not running, as static HTML."""
        esc = html.escape
        server = f" {esc(repr(window.server))}" if window.server else ""
        restart = esc(window.restart or "course.serve(...)")
        return (
            f"<p><b>Demo server{server} is not running</b>, so this window has nothing"
            " to show. The lesson stopped the server, or the kernel restarted (a reopened"
            " notebook starts a new kernel, with no servers).</p>"
            "<p>To bring the window back, run the cell that starts the server again"
            f" (<code>{restart}</code>), then this cell.</p>"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        figures = "".join(
            '<figure style="flex:1 1 0;min-width:260px;margin:0"'
            f' data-src="{esc(w.src)}" data-title="{esc(w.title)}"'
            f' data-server="{esc(repr(w.server) if w.server else "")}"'
            f' data-height="{self.height}">'
            f"<figcaption><b>{esc(w.title)}</b> · "
            f'<a href="{esc(w.src)}" target="_blank">{esc(w.src)}</a></figcaption>'
            f'<div class="course-window-note" role="status" style="box-sizing:border-box;'
            f"min-height:{self.height}px;padding:4px 12px;border:1px dashed #bbb;"
            f'background:#fff8e5;color:#333">{self._stopped_words(w)}</div>'
            "</figure>"
            for w in self.windows
        )
        return (
            f'<div class="course-side-by-side" style="display:flex;gap:12px">{figures}</div>'
            f'<script data-course="side-by-side">{_SCRIPT}</script>'
        )

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
    A window whose server stops says so, and which cell starts it again.
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
        windows.append(Window(title, src, server.name, _restart_call(server)))
    return SideBySide(windows, height)
