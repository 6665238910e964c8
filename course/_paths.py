"""Where things are: the repository, the demo project, and this kernel's scratch folder."""

import functools
import os
import shutil
import stat
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
    key = (base / f"asgi-course-{os.getuid()}", os.getpid())
    path = _process_dir(*key)
    if not path.is_dir():  # removed under our feet (a /tmp cleaner): make it again
        _process_dir.cache_clear()
        path = _process_dir(*key)
    return path


@functools.cache
def _process_dir(user_dir: Path, pid: int) -> Path:
    user_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not _private(user_dir):
        # Someone else made (or linked) our folder in a shared /tmp: use a fresh one.
        return Path(tempfile.mkdtemp(prefix=f"{user_dir.name}-{pid}-"))
    path = user_dir / str(pid)
    path.mkdir(exist_ok=True, mode=0o700)
    _remove_dead_siblings(user_dir, pid)
    return path


def _private(folder: Path) -> bool:
    """True if *folder* is a real folder of ours that nobody else may enter (made so)."""
    info = folder.lstat()
    if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
        return False
    if info.st_mode & 0o077:
        folder.chmod(0o700)
    return True


def _remove_dead_siblings(parent: Path, pid: int) -> None:
    """Delete the folders of processes that no longer run (a killed kernel cannot
    clean up after itself)."""
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
