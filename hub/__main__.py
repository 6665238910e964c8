"""``make hub``: run JupyterHub for a class on this host, in the foreground, until Ctrl-C.

Variables: HUB_IP (127.0.0.1), HUB_PORT (8000), HUB_PASSWORD (the students' shared password,
8+ characters), HUB_ADMIN (instructor), HUB_ADMIN_PASSWORD (32+ characters, not the students');
a password left unset is generated once, kept in hub/state/passwords.json (mode 0600) and
printed. HUB_SPAWNER: ``system`` (a Unix account per student; root only), ``simple`` (one
Unix user for all), or unset: ``system`` when root and both the repository and the Python
its .venv was made from are readable by others.
HUB_PUBLIC_URL: the address students open (https://hub.example.org/ behind a TLS proxy;
http://HUB_IP:HUB_PORT/ by default, unset when HUB_IP is 0.0.0.0). HUB_CULL_TIMEOUT: seconds
idle before a student's server is stopped (3600). HUB_STATE: the hub's files (hub/state/).

Ctrl-C or SIGTERM: JupyterHub stops its services, its proxy and every student's server. This
process is the subreaper of all of them (prctl PR_SET_CHILD_SUBREAPER): whatever they leave
behind (a kernel, a daphne, a redis-server) is reparented here, and ended before it exits.

``python -m hub --remove-users [NAME ...]`` (root, hub stopped): deletes the Unix accounts the
``system`` spawner made (all of them, or those named), their homes, then the group ``coursehub``.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
PR_SET_CHILD_SUBREAPER = 36


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def passwords(state: Path, env: dict[str, str]) -> list[str]:
    """Fill in HUB_PASSWORD and HUB_ADMIN_PASSWORD; the lines to print about them."""
    kept_file = state / "passwords.json"
    kept = json.loads(kept_file.read_text()) if kept_file.exists() else {}
    said = []
    for name, size in (("HUB_PASSWORD", 9), ("HUB_ADMIN_PASSWORD", 32)):
        if not env.get(name):
            env[name] = kept.get(name) or secrets.token_urlsafe(size)
            kept[name] = env[name]
            said.append(f"  {name}={env[name]}   (generated; kept in {kept_file})")
    kept_file.touch(mode=0o600)
    kept_file.write_text(json.dumps(kept))
    if len(env["HUB_PASSWORD"]) < 8:
        sys.exit("HUB_PASSWORD must be 8 characters or more.")
    if len(env["HUB_ADMIN_PASSWORD"]) < 32:
        sys.exit("HUB_ADMIN_PASSWORD must be 32 characters or more (JupyterHub's rule).")
    if env["HUB_PASSWORD"] == env["HUB_ADMIN_PASSWORD"]:
        sys.exit("HUB_ADMIN_PASSWORD must differ from HUB_PASSWORD.")
    return said


def readable_by_all(path: Path) -> bool:
    """True if another user can reach *path* (every folder above it searchable by others)."""
    return all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents]) and bool(
        os.stat(path).st_mode & 0o004
    )


def unreadable() -> list[Path]:
    """What a student's account must run or import but cannot: the Python the .venv was made
    from (a symlink's target, e.g. under /root/.pyenv), the .venv, the repository."""
    needed = (Path(sys.executable).resolve(), Path(sys.executable), HERE.parent)
    return [path for path in needed if not readable_by_all(path)]


def spawner(env: dict[str, str]) -> str:
    asked = env.get("HUB_SPAWNER", "")
    root = os.getuid() == 0
    if asked == "system" and not root:
        sys.exit("HUB_SPAWNER=system needs root: it makes a Unix account per student.")
    if asked not in ("system", "simple", ""):
        sys.exit(f"HUB_SPAWNER is {asked!r}: use system, simple, or leave it unset.")
    if asked == "simple" or not root:
        return "simple"
    hidden = unreadable()
    if not hidden:
        return "system"
    said = (
        f"{', '.join(map(str, hidden))}: not readable by other users, so students cannot run "
        "as Unix accounts of their own. Clone the course somewhere all can read (/srv, /opt), "
        "its .venv made from a Python all can read (rm -rf .venv; make hub PYTHON=/usr/bin/python3)"
    )
    if asked == "system":
        sys.exit(f"HUB_SPAWNER=system: {said}.")
    print(f"! {said}; meanwhile every server runs as root (HUB_SPAWNER=simple).", flush=True)
    return "simple"


def remove_users(names: list[str]) -> int:
    """``--remove-users``: the accounts, homes and group the system spawner left."""
    from hub.spawners import HUB_GROUP, hub_accounts, remove_system_users

    if os.getuid() != 0:
        sys.exit("--remove-users needs root.")
    try:
        removed = remove_system_users(names)
    except ValueError as error:
        sys.exit(str(error))
    except subprocess.CalledProcessError as error:  # a student's process still runs
        sys.exit(f"{' '.join(error.cmd)}: {error.stderr.decode().strip()} (stop the hub first)")
    group = f"{HUB_GROUP} kept (accounts left in it)" if hub_accounts() else f"no {HUB_GROUP}"
    listed = " ".join(removed) or "-"
    print(f"Removed {len(removed)} accounts with their homes ({listed}); {group}.")
    return 0


def end_all(children: list[psutil.Process], grace: float = 5.0) -> None:
    """SIGTERM each, then SIGKILL whatever still runs after *grace* seconds."""
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.terminate()
    _, alive = psutil.wait_procs(children, timeout=grace)
    for child in alive:
        with contextlib.suppress(psutil.Error):
            child.kill()
    psutil.wait_procs(alive, timeout=grace)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m hub", description="make hub")
    parser.add_argument(
        "--remove-users",
        nargs="*",
        metavar="NAME",
        help="delete the Unix accounts (all, or those named) the system spawner made, their "
        "homes, then the group coursehub; the hub must be stopped",
    )
    asked = parser.parse_args()
    if asked.remove_users is not None:
        return remove_users(asked.remove_users)
    if not PROXY.exists():
        sys.exit(f"{PROXY} is missing: `make hub` installs it (npm ci in hub/).")
    env = dict(os.environ)
    state = Path(env.get("HUB_STATE") or HERE / "state").resolve()
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    env.setdefault("HUB_IP", "127.0.0.1")
    env.setdefault("HUB_PORT", "8000")
    env.setdefault("HUB_ADMIN", "instructor")
    if env["HUB_IP"] not in ("0.0.0.0", "::", ""):  # one address: that is the public one
        env.setdefault("HUB_PUBLIC_URL", f"http://{env['HUB_IP']}:{env['HUB_PORT']}/")
    said = passwords(state, env)
    env["HUB_SPAWNER"] = spawner(env)
    env["HUB_STATE"] = str(state)
    for name in ("HUB_API_PORT", "HUB_PROXY_API_PORT", "HUB_BOARD_PORT"):
        env[name] = str(free_port())
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)

    url = f"http://{env['HUB_IP']}:{env['HUB_PORT']}"
    print(
        f"JupyterHub for the class at {url}/ ({env['HUB_SPAWNER']} spawner)\n"
        f"  students: any user name, password HUB_PASSWORD\n"
        f"  instructor: {env['HUB_ADMIN']}, password HUB_ADMIN_PASSWORD; "
        f"class board at {url}/services/board/",
        *said,
        "Ctrl-C stops the hub and every student's server.",
        sep="\n",
        flush=True,
    )
    command = [sys.executable, "-m", "jupyterhub", "-f", str(HERE / "jupyterhub_config.py")]
    # A session of its own: the terminal's Ctrl-C reaches only this process, which then
    # stops the hub, which stops the rest in order.
    hub = subprocess.Popen(command, cwd=state, env=env, start_new_session=True)
    stopping: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        stopping.append(signum)
        if len(stopping) == 1:
            print("\nStopping the hub and every student's server...", flush=True)
            hub.send_signal(signal.SIGTERM)
        else:  # asked twice: no more waiting
            hub.kill()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while True:
        try:
            code = hub.wait(timeout=60 if stopping else None)
            break
        except subprocess.TimeoutExpired:
            hub.kill()
    started = time.monotonic()
    left = psutil.Process().children(recursive=True)
    end_all(left)
    if left:
        print(f"Ended {len(left)} processes the hub left ({time.monotonic() - started:.1f} s).")
    return 0 if stopping else code


if __name__ == "__main__":
    sys.exit(main())
