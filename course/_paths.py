"""Where things are: the repository, the demo project, and this kernel's scratch folder."""

import os
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO_ROOT / "demo_project"


def state_dir() -> Path:
    """A private scratch folder for this process (server logs, traces, redis data).

    One folder per user and process, so many students on one JupyterHub host never
    share files; override the parent with COURSE_STATE_DIR.
    """
    base = Path(os.environ.get("COURSE_STATE_DIR") or tempfile.gettempdir())
    path = base / f"asgi-course-{os.getuid()}" / str(os.getpid())
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
