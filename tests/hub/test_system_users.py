"""`make hub` as root, the system spawner: two students log in (HTTP, with the class password)
and each gets a server running as a Unix account of their own, on their own copy of the course,
in a home the other cannot read; neither reaches the other's server through the hub; a name
that is already an account of the host gets no server; SIGTERM leaves no student process; and
`python -m hub --remove-users` takes the accounts and their homes away again.

Root only (it makes Unix accounts); under CI=true, which runs as root, it must run.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from course._paths import REPO_ROOT
from hub.__main__ import readable_by_all, unreadable
from hub.spawners import HUB_GROUP, hub_accounts
from tests.hub.conftest import _need
from tests.hub.hub_run import PASSWORD, Hub, missing, run_hub

pytestmark = [pytest.mark.hub, pytest.mark.slow]

# Names no host has, made and removed here; a run's own, so that a second `make test` on the
# same host (whose accounts, processes and homes are the host's too) never meets this one's.
RUN = secrets.token_hex(2)
STUDENTS = (f"hubtest-{RUN}-ada", f"hubtest-{RUN}-grace")
LESSON = "course/notebooks/00-welcome-and-setup.ipynb"


def python_for_all(folder: Path) -> str | None:
    """A python every account can run, with this .venv's packages: the .venv's own, or (when
    its interpreter is private, e.g. under /root/.pyenv) a venv on the system's python of the
    same version whose site-packages is this one's. None if there is no such python."""
    if not unreadable():  # this .venv, its interpreter and the repository
        return sys.executable
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base = shutil.which(version, path="/usr/local/bin:/usr/bin")
    if base is None or not readable_by_all(Path(base).resolve()):
        return None
    folder.parent.chmod(0o755)
    folder.mkdir(mode=0o755)
    (folder / "bin").mkdir()
    (folder / "bin" / "python").symlink_to(base)
    (folder / "lib" / version).mkdir(parents=True)
    (folder / "lib" / version / "site-packages").symlink_to(sysconfig.get_paths()["purelib"])
    for shared in ("share", "etc"):  # JupyterHub's templates, JupyterLab's, their settings
        (folder / shared).symlink_to(Path(sys.prefix) / shared)
    (folder / "pyvenv.cfg").write_text(f"home = {Path(base).parent}\n")
    for path in (folder, folder / "bin", folder / "lib", folder / "lib" / version):
        path.chmod(0o755)  # whatever the umask
    (folder / "pyvenv.cfg").chmod(0o644)
    return str(folder / "bin" / "python")


@pytest.fixture(scope="module")
def python() -> Iterator[str]:
    _need(missing())
    _need(None if os.getuid() == 0 else "the system spawner makes Unix accounts: run as root")
    if not readable_by_all(REPO_ROOT):  # a clone in a private folder: make hub falls back to
        # the simple spawner, which test_spawner_choice.py checks and test_class_on_a_hub runs
        pytest.skip(f"{REPO_ROOT} is not readable by other users: no student account could run it")
    taken = [name for name in STUDENTS if _account(name) and _account(name) not in hub_accounts()]
    _need(f"accounts of this host already: {taken}" if taken else None)
    folder = Path(tempfile.mkdtemp(prefix="asgi-hub-python-"))  # pytest's tmp is root's alone
    try:
        found = python_for_all(folder / "venv")
        if found is None:  # the same fallback as above
            pytest.skip(f"no python{sys.version_info[:2]} that every user may run")
        assert found is not None
        yield found
    finally:
        shutil.rmtree(folder)


def _account(name: str) -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def log_in(hub: Hub, name: str, closing: contextlib.ExitStack) -> httpx.Client:
    """A browser-like client, logged in as *name*: the hub starts their server. *closing*
    closes it (a client left open ends another test, as an unraisable ResourceWarning)."""
    client = closing.enter_context(
        httpx.Client(base_url=hub.url, follow_redirects=True, timeout=60)
    )
    client.get("/hub/login")
    form = {"username": name, "password": PASSWORD, "_xsrf": client.cookies["_xsrf"]}
    client.post("/hub/login", data=form)
    return client


def wait_for_server(hub: Hub, client: httpx.Client, name: str, timeout: float = 130) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        # The hub's page while it starts; then the server's OAuth, to the lab (as a browser).
        page = client.get(f"/user/{name}/lab")
        if page.status_code == 200 and page.url.path == f"/user/{name}/lab":
            return
        if f"spawn for {name} failed" in hub.log.read_text():
            break  # the hub gave up (its http_timeout is 120 s); so do we
        time.sleep(0.5)
    raise AssertionError(f"{name}: no server\n{spawn_story(hub)}")


NOISE = re.compile(r'JupyterHub log:\d+|^\s+"|^\s*[{}]\s*$')


def spawn_story(hub: Hub) -> str:
    """The hub's log without its request lines and their header dumps: the spawns, and what
    each server said."""
    lines = hub.log.read_text().splitlines()
    return "\n".join(line for line in lines if not NOISE.search(line))[-5000:]


def servers_of(name: str) -> list[psutil.Process]:
    """The jupyterhub.singleuser processes the hub started for *name*."""
    found = []
    for process in psutil.process_iter():
        try:
            if "jupyterhub.singleuser" in process.cmdline()[1:3] and (
                process.environ().get("JUPYTERHUB_USER") == name
            ):
                found.append(process)
        except psutil.Error:
            continue
    return found


def test_a_unix_account_per_student(python: str, tmp_path: Path) -> None:
    ada, grace = STUDENTS
    started = time.monotonic()
    try:
        with (
            run_hub(tmp_path / "state", spawner="system", python=python) as hub,
            contextlib.ExitStack() as closing,
        ):
            clients = {name: log_in(hub, name, closing) for name in STUDENTS}
            for name, client in clients.items():
                wait_for_server(hub, client, name)
            ready = time.monotonic() - started
            accounts = {name: pwd.getpwnam(name) for name in STUDENTS}
            for name, account in accounts.items():
                # Their server runs as their own account, on their own copy of the course.
                owners = {process.username() for process in servers_of(name)}
                assert owners == {name}, (name, owners)
                # On a port below the ephemeral range (hub/spawners.py's server_port).
                listening = {
                    c.laddr.port
                    for process in servers_of(name)
                    for c in process.net_connections("tcp")
                    if c.status == psutil.CONN_LISTEN
                }
                assert listening and max(listening) < 32768, (name, listening)
                assert account.pw_gid in {a.pw_gid for a in hub_accounts()}
                home = hub.home(name)
                assert home.stat().st_uid == account.pw_uid
                assert home.stat().st_mode & 0o777 == 0o700
                assert (home / LESSON).stat().st_uid == account.pw_uid
                listed = clients[name].get(f"/user/{name}/api/contents/course/notebooks")
                assert "00-welcome-and-setup.ipynb" in listed.text
            # ada can neither read grace's home nor reach grace's server through the hub.
            peek = subprocess.run(
                ["ls", hub.home(grace)], user=ada, capture_output=True, text=True, check=False
            )
            assert peek.returncode != 0 and "Permission denied" in peek.stderr, peek
            # ada's own code imports the course (the repository, the python: readable by all).
            scratch = "from course._paths import state_dir; print(state_dir())"
            subprocess.run(
                [python, "-c", scratch], user=ada, cwd=REPO_ROOT, check=True, capture_output=True
            )
            for path in ("api/status", "lab", f"files/{LESSON}"):
                assert clients[ada].get(f"/user/{grace}/{path}").status_code == 403, path
            # A name that is already an account of this host (not the hub's) gets no server.
            daemon = log_in(hub, "daemon", closing)
            assert daemon.get("/user/daemon/api/status").status_code >= 400
            assert servers_of("daemon") == []
            assert "an existing account of this host" in hub.log.read_text()
        # run_hub stopped it (SIGTERM) and found nothing of it left; nor is any student process.
        uids = {account.pw_uid for account in accounts.values()}
        assert [p.pid for p in psutil.process_iter(["uids"]) if p.info["uids"].real in uids] == []
    finally:
        # Only this test's accounts: with no name, --remove-users takes every coursehub account.
        made = [name for name in STUDENTS if _account(name)]
        removed = (
            subprocess.run(
                [python, "-m", "hub", "--remove-users", *made],
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if made
            else None
        )
    assert removed is not None and removed.returncode == 0, removed
    assert [name for name in STUDENTS if _account(name)] == []
    assert not any(Path(account.pw_dir).exists() for account in accounts.values())
    assert not any(Path(tempfile.gettempdir(), f"asgi-course-{uid}").exists() for uid in uids)
    print(
        f"2 accounts made, both servers ready {ready:.1f} s after the hub's command; "
        f"{removed.stdout.strip()}"
    )
    if not hub_accounts():
        assert subprocess.run(["getent", "group", HUB_GROUP], check=False).returncode == 2
