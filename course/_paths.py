"""Where things are: the repository, the demo project, and this kernel's scratch folder."""

import functools
import os
import shutil
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
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        _remove_dead_siblings(path.parent, os.getpid())
    return path


@functools.cache
def _remove_dead_siblings(parent: Path, pid: int) -> None:
    """Delete the folders of processes that no longer run (a killed kernel cannot
    clean up after itself), once per process."""
    for folder in parent.iterdir():
        if folder.name.isdigit() and int(folder.name) != pid and not _alive(int(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
