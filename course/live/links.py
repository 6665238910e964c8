"""Links a student can click: directly on 127.0.0.1, or through jupyter-server-proxy.

On Binder or a JupyterHub the browser cannot reach the container's 127.0.0.1; the
Jupyter server proxies HTTP and WebSockets at ``<prefix>proxy/PORT/`` and strips that
prefix, so the demo server sees its usual paths. Always keep the slash after the port:
without it, a page that builds its WebSocket URL relative to itself connects to the
wrong path and the socket closes with 1006.
"""

from __future__ import annotations

import html
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from course.display import ipython_shell


def proxy_url(port: int, path: str = "") -> str:
    """The jupyter-server-proxy URL of a local *port* (a path relative to the Jupyter server).

    >>> proxy_url(8123, "ws/chat/lobby/")   # JUPYTERHUB_SERVICE_PREFIX unset
    '/proxy/8123/ws/chat/lobby/'
    """
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX") or "/"
    if not prefix.endswith("/"):
        prefix += "/"
    return f"{prefix}proxy/{int(port)}/{path.lstrip('/')}"


def in_jupyter() -> bool:
    """True inside a Jupyter kernel (where proxy links make sense), False in a script or test."""
    return getattr(ipython_shell(), "kernel", None) is not None


HUB_VARIABLES = ("JUPYTERHUB_PUBLIC_URL", "JUPYTERHUB_PUBLIC_HUB_URL", "JUPYTERHUB_HOST")


def public_hosts() -> list[str]:
    """Host names a JupyterHub announces for itself, for the demo's ALLOWED_HOSTS.

    The proxy forwards the hub's own Host header, which Django rejects unless it is
    allowed. JupyterHub exports JUPYTERHUB_PUBLIC_URL and JUPYTERHUB_PUBLIC_HUB_URL when
    its ``public_url`` is configured (mybinder.org's members configure it, so a Binder
    knows which member it runs on), and JUPYTERHUB_HOST with subdomains.
    """
    hosts = []
    for variable in HUB_VARIABLES:
        value = os.environ.get(variable, "")
        host = urlsplit(value if "//" in value else f"//{value}").hostname
        if host and host not in hosts:
            hosts.append(host)
    return hosts


UNNAMED_HUB = (
    "This hub does not say what its public address is (no JUPYTERHUB_PUBLIC_URL), so the "
    "demo accepts any Host, and AllowedHostsOriginValidator accepts any Origin. To keep the "
    "Origin check on, set c.JupyterHub.public_url in the hub's config, or DEMO_ALLOWED_HOSTS "
    "to the hub's host name before starting the kernel."
)
_warned: list[bool] = []


def allowed_hosts() -> list[str]:
    """Extra ALLOWED_HOSTS for a demo server started from this kernel.

    On a hub (Binder included) that names its public address, that host: the Origin check
    stays on, and a page of another site cannot open a WebSocket to the demo. On a hub that
    names none, any host, said once: an unknown Host would make every proxied page fail
    with DisallowedHost. Outside a hub, nothing.
    """
    hosts = public_hosts()
    if not hosts and os.environ.get("JUPYTERHUB_SERVICE_PREFIX"):
        if not _warned:
            _warned.append(True)
            print(UNNAMED_HUB, file=sys.stderr)
        return ["*"]
    return hosts


def render(
    title: str, status: str, links: Sequence[tuple[str, str]], command: str = ""
) -> tuple[str, str]:
    """An HTML block and its plain-text twin: a title, a status, labelled links, and the
    command line that started the process (as one would type it), if any.

    Every piece is escaped, so a name or URL can never inject markup into the notebook.
    """
    esc = html.escape
    items = "".join(
        f'<li>{esc(label)}: <a href="{esc(href)}" target="_blank">{esc(href)}</a></li>'
        for label, href in links
    )
    typed = f"<div><code>$ {esc(command)}</code></div>" if command else ""
    markup = f"<div><b>{esc(title)}</b> — {esc(status)}<ul>{items}</ul>{typed}</div>"
    lines = [f"{title} — {status}", *(f"  {label}: {href}" for label, href in links)]
    text = "\n".join([*lines, *([f"  $ {command}"] if command else [])])
    return markup, text


def jupyter_server() -> dict[str, Any] | None:
    """The running Jupyter server that started this kernel (its parent), if any.

    Reads the servers' own announcements (``jpserver-PID.json`` in the runtime folder),
    as ``jupyter server list`` does, without importing jupyter_server (1.6 s).
    """
    from jupyter_core.paths import jupyter_runtime_dir

    announcement = Path(jupyter_runtime_dir()) / f"jpserver-{os.getppid()}.json"
    try:
        info: dict[str, Any] = json.loads(announcement.read_text())
    except (OSError, ValueError):
        return None
    return info


async def probe_proxy(jupyter: dict[str, Any], port: int) -> str:
    """Fetch the demo's /api/v1/data through *jupyter*'s jupyter-server-proxy; return the URL.

    This is the path a student's browser takes on Binder or a hub.
    """
    import httpx

    url = f"{jupyter['url'].rstrip('/')}/proxy/{port}/api/v1/data"
    token = jupyter.get("token") or os.environ.get("JUPYTERHUB_API_TOKEN", "")
    headers = {"Authorization": f"token {token}"} if token else {}
    async with httpx.AsyncClient(timeout=5, headers=headers) as client:
        response = await client.get(url)
    if response.status_code == 404:
        raise RuntimeError(f"GET {url} → 404: jupyter-server-proxy is not enabled")
    response.raise_for_status()
    return url
