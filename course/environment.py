"""One-line notebook setup: make the demo project importable and configure Django."""

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from importlib import metadata

from course import interrupt
from course._paths import DEMO_DIR
from course.display import ipython_shell

SETTINGS_MODULE = "config.settings"


def setup(*, migrate: bool = True, quiet: bool = False) -> None:
    """Configure Django for the demo project; safe to run again.

    Does not set DJANGO_ALLOW_ASYNC_UNSAFE: a cell runs inside the kernel's event loop,
    so the sync ORM there raises SynchronousOnlyOperation, and a later lesson needs
    that error to be real.
    """
    import django
    from django.apps import apps

    if str(DEMO_DIR) not in sys.path:
        sys.path.insert(0, str(DEMO_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    if not apps.ready:
        django.setup()
    if migrate:
        _in_thread(_migrate)
    _load_explainer()
    interrupt.install()  # Interrupt stops a cell that awaits forever (course/interrupt.py)
    if not quiet:
        print(describe())


def _load_explainer() -> None:
    """Inside IPython, explain the classic Channels errors below their traceback
    (course/explain/extension.py). Loading it again does nothing; outside IPython, nothing
    happens."""
    shell = ipython_shell()
    if shell is not None:
        shell.extension_manager.load_extension("course.explain")


def describe() -> str:
    """One line saying what is configured: versions and the channel layer."""
    from django.conf import settings

    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    versions = " · ".join(f"{p} {metadata.version(p)}" for p in ("Django", "channels", "daphne"))
    return f"Demo project ready: {versions} · channel layer: {backend}"


def _migrate() -> None:
    """Apply any unapplied migrations to the demo database (silently). Several setups at once
    (five kernels on a fresh clone) take turns: the plan is read again under the lock."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def unapplied() -> bool:
        executor = MigrationExecutor(connection)
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))

    try:
        if unapplied():
            with _lock_beside(connection.settings_dict["NAME"]):
                if unapplied():
                    call_command("migrate", verbosity=0, interactive=False)
    finally:
        connection.close()


@contextmanager
def _lock_beside(database: object) -> Iterator[None]:
    """Hold an exclusive flock on ``<database>.lock``, removed when done. A waiter that wakes
    on a removed file locks the new one instead. No lock for an in-memory database or where
    there is no fcntl (Windows)."""
    name = str(database)
    if sys.platform == "win32" or name == ":memory:" or name.startswith("file:"):
        yield
        return
    import fcntl

    path = name + ".lock"
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.path.samestat(os.stat(path), os.fstat(fd)):
                break
        except FileNotFoundError:
            pass
        os.close(fd)  # the holder before us removed it: lock the file there now
    try:
        yield
    finally:
        with suppress(FileNotFoundError):
            os.unlink(path)  # before unlocking, so whoever waits on it sees it gone
        os.close(fd)


def _in_thread(func: Callable[[], None]) -> None:
    """Run sync Django code in a fresh thread: the kernel's own thread has a running
    event loop, where Django refuses sync database access (on purpose)."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            func()
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=run, name="course-setup")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
