"""How each student gets a JupyterLab on a copy of the course of their own.

Two spawners, both processes on this host (docs/workshop-guide.md says what each isolates):

- ``SystemUserSpawner`` (run as root): each hub user runs as a Unix account of the same name,
  created on first start in the group ``HUB_GROUP`` with a home of its own (mode 0700). A name
  that is already a Unix account outside that group (``root``, ``daemon``, a colleague) is
  refused, so a login can never become an existing account.
- ``SharedUserSpawner`` (not root, or asked for): JupyterHub's simple local spawner, every
  server as the user running the hub, each with a home folder of its own under hub/state/.

Both copy the course's notebooks and exercises into ``~/course`` before the first start (and
never over a student's work afterwards). ``python -m hub --remove-users`` deletes the accounts
the first one made (``remove_system_users``).

Both give a server a port below the host's ephemeral range (``server_port``): JupyterHub's own
choice binds port 0, lets go, and the server binds it seconds later, while every daphne a
student's kernel serves and every outgoing connection on the host takes ephemeral ports, one
of which can be that one (seen: "didn't respond in 120 seconds", with two test suites beside).
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jupyterhub.spawner import LocalProcessSpawner, SimpleLocalProcessSpawner

REPO = Path(__file__).resolve().parent.parent
COPIED = ("notebooks", "exercises", "README.md")
HUB_GROUP = "coursehub"
FIRST_LESSON = "course/notebooks/00-welcome-and-setup.ipynb"
EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST_SERVER_PORT = 10000


def server_port(attempts: int = 200) -> int:
    """A free port between LOWEST_SERVER_PORT and the first ephemeral port (Linux: 32768),
    where neither a bind to port 0 nor an outgoing connection lands."""
    try:
        first_ephemeral = int(EPHEMERAL.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        first_ephemeral = 32768
    ports = range(LOWEST_SERVER_PORT, max(first_ephemeral, LOWEST_SERVER_PORT + 1000))
    for _ in range(attempts):
        port = random.choice(ports)
        with socket.socket() as probe:
            try:
                probe.bind(("", port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1} after {attempts} tries")


def copy_course(home: Path, owner: tuple[int, int] | None = None) -> Path:
    """``home``/course: the notebooks and exercises, copied once; *owner* (uid, gid) gets them."""
    target = home / "course"
    if not target.exists():
        staging = home / ".course-copy"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name in COPIED:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, staging / name, ignore=shutil.ignore_patterns(".*"))
            else:
                shutil.copy2(source, staging / name)
        if owner is not None:
            for path in [staging, *staging.rglob("*")]:
                os.chown(path, *owner, follow_symlinks=False)
        staging.rename(target)
    return target


def ensure_system_user(name: str) -> pwd.struct_passwd:
    """The Unix account *name*, created in HUB_GROUP if missing; refused if it is someone else's."""
    try:
        grp.getgrnam(HUB_GROUP)
    except KeyError:
        subprocess.run(["groupadd", "--system", HUB_GROUP], check=True)
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            ["useradd", "--create-home", "--gid", HUB_GROUP, "--shell", "/bin/bash", name],
            check=True,
        )
        account = pwd.getpwnam(name)
        Path(account.pw_dir).chmod(0o700)
    if account.pw_gid != grp.getgrnam(HUB_GROUP).gr_gid:
        raise PermissionError(
            f"{name!r} is an existing account of this host, not one the hub made: log in "
            "with another name"
        )
    return account


def hub_accounts() -> list[pwd.struct_passwd]:
    """The Unix accounts the hub made: those whose group is HUB_GROUP."""
    try:
        gid = grp.getgrnam(HUB_GROUP).gr_gid
    except KeyError:
        return []
    return [account for account in pwd.getpwall() if account.pw_gid == gid]


def remove_system_users(names: Iterable[str] = ()) -> list[str]:
    """Delete the hub's accounts (all, or those *names*), their homes and course scratch
    folders; then HUB_GROUP, if no account is left in it. userdel refuses an account that
    still runs a process."""
    accounts = {account.pw_name: account for account in hub_accounts()}
    wanted = list(names) or sorted(accounts)
    others = [name for name in wanted if name not in accounts]
    if others:
        raise ValueError(f"not accounts of the group {HUB_GROUP}: {', '.join(others)}")
    for name in wanted:
        subprocess.run(["userdel", "--remove", name], check=True, stderr=subprocess.PIPE)
        # The toolkit's scratch folder (course/_paths.py), lest the uid's next owner get it.
        scratch = Path(tempfile.gettempdir()) / f"asgi-course-{accounts[name].pw_uid}"
        if scratch.is_dir() and scratch.lstat().st_uid == accounts[name].pw_uid:
            shutil.rmtree(scratch, ignore_errors=True)
    if not hub_accounts():
        with contextlib.suppress(KeyError):
            grp.getgrnam(HUB_GROUP)
            subprocess.run(["groupdel", HUB_GROUP], check=True)
    return wanted


class SystemUserSpawner(LocalProcessSpawner):  # type: ignore[misc]
    """LocalProcessSpawner on a Unix account per student, made by the hub (run as root)."""

    async def start(self) -> Any:
        account = ensure_system_user(self.user.name)
        copy_course(Path(account.pw_dir), (account.pw_uid, account.pw_gid))
        self.port = server_port()
        return await super().start()


class SharedUserSpawner(SimpleLocalProcessSpawner):  # type: ignore[misc]
    """JupyterHub's simple spawner: one home folder each, one Unix user for all."""

    async def start(self) -> Any:
        copy_course(Path(self.home_dir))
        self.port = server_port()
        return await super().start()
