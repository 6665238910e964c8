"""JupyterHub's configuration for ``make hub``; ``python -m hub`` sets the HUB_* variables it reads.

One host, one class: JupyterHub's SharedPasswordAuthenticator (the students share a password,
the instructor has an admin password of their own), a spawner from hub/spawners.py, the npm
configurable-http-proxy that ``make hub`` installs into hub/node_modules/, and two services:
the class board (hub/board/) and jupyterhub-idle-culler.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from hub import spawners  # noqa: E402

c = get_config()  # type: ignore[name-defined]  # noqa: F821
env = os.environ
state = Path(env["HUB_STATE"])
venv_bin = Path(sys.executable).parent
board_url = f"http://127.0.0.1:{env['HUB_BOARD_PORT']}"

# Where students connect (the proxy), and the hub's own API, on ports of its own.
c.JupyterHub.ip = env["HUB_IP"]
c.JupyterHub.port = int(env["HUB_PORT"])
# Announced to each student's server (JUPYTERHUB_PUBLIC_URL): the demo's ALLOWED_HOSTS and
# its Origin check then name this host (course/live/links.py). Unset: the hub guesses per request.
if env.get("HUB_PUBLIC_URL"):
    c.JupyterHub.public_url = env["HUB_PUBLIC_URL"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env["HUB_API_PORT"])
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env['HUB_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
# Stopping the hub stops the proxy and every student's server (the default, said aloud).
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# Who may log in: any name with the students' password is a student; the instructor is admin.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = env["HUB_PASSWORD"]
c.SharedPasswordAuthenticator.admin_password = env["HUB_ADMIN_PASSWORD"]
c.Authenticator.admin_users = {env["HUB_ADMIN"]}
c.Authenticator.allow_all = True
# A Unix account name (SystemUserSpawner makes one per student).
c.Authenticator.username_pattern = r"^[a-z][a-z0-9_-]{0,30}$"

# Each student's JupyterLab, on a copy of the course, lesson 00 open.
if env["HUB_SPAWNER"] == "system":
    c.JupyterHub.spawner_class = spawners.SystemUserSpawner
else:
    c.JupyterHub.spawner_class = spawners.SharedUserSpawner
    c.SharedUserSpawner.home_dir_template = str(state / "homes" / "{username}")
    if os.getuid() == 0:
        c.Spawner.args = ["--allow-root"]
# The hub's own python, not the jupyterhub-singleuser script (whose shebang names one .venv).
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = f"/lab/tree/{spawners.FIRST_LESSON}"
c.Spawner.notebook_dir = "~"
c.Spawner.environment = {
    "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
    # Where check() reports (course/checking/board.py), with the student's own hub token.
    "COURSE_BOARD_URL": f"{board_url}/services/board/",
}
c.Spawner.start_timeout = 120  # a JupyterLab starts in seconds, slower with a class starting
c.Spawner.http_timeout = 120

# The instructor's class board, and the idle culler.
cull_timeout = int(env.get("HUB_CULL_TIMEOUT", "3600"))
c.JupyterHub.services = [
    {
        "name": "board",
        "url": board_url,
        "command": [sys.executable, "-m", "hub.board"],
        "cwd": str(HERE.parent),
        "environment": {"BOARD_DB": str(state / "board.sqlite3")},
        "oauth_no_confirm": True,
    },
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={cull_timeout}",
            f"--cull-every={max(cull_timeout // 10, 60)}",
            "--max-age=0",
        ],
    },
]
# `make students HUB=1` (hub/students.py): a service that starts servers and runs their
# kernels, and a variable that tells the bench's sampler whose each process is.
if env.get("HUB_BENCH_TOKEN"):
    c.JupyterHub.services.append({"name": "bench", "api_token": env["HUB_BENCH_TOKEN"]})
    c.Spawner.environment["COURSE_BENCH_STUDENT"] = lambda spawner: spawner.user.name
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
    # Admins may already open every service; said here, so the board is theirs alone.
    {
        "name": "board-viewer",
        "scopes": ["access:services!service=board"],
        "users": [env["HUB_ADMIN"]],
    },
]
if env.get("HUB_BENCH_TOKEN"):
    c.JupyterHub.load_roles.append(
        {
            "name": "bench",
            "scopes": ["admin:users", "admin:servers", "access:servers"],
            "services": ["bench"],
        }
    )
