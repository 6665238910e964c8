"""course.setup(): Django configured for the demo, safe to re-run, sync ORM still refused."""

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from course._paths import REPO_ROOT


def run_fresh(code: str, db: Path) -> subprocess.CompletedProcess[str]:
    """Run *code* in a fresh interpreter (settings are process-wide) on database *db*."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DEMO_DB"] = str(db)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_setup_migrates_a_new_database_and_can_run_twice(tmp_path: Path) -> None:
    result = run_fresh(
        """
        import asyncio, course
        course.setup()
        course.setup()
        from chat.models import Message
        print("messages:", asyncio.run(Message.objects.acount()))
        """,
        tmp_path / "fresh.sqlite3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Demo project ready: Django 5.2") == 2
    assert "channel layer: InMemoryChannelLayer" in result.stdout
    assert "messages: 0" in result.stdout


@pytest.mark.slow
def test_setup_keeps_synchronous_only_operation(tmp_path: Path) -> None:
    # A cell runs inside the kernel's event loop; this does the same with asyncio.run.
    result = run_fresh(
        """
        import asyncio, os, course
        course.setup(quiet=True)
        from chat.models import Message
        from django.core.exceptions import SynchronousOnlyOperation
        async def cell():
            try:
                Message.objects.count()
            except SynchronousOnlyOperation:
                print("refused")
        asyncio.run(cell())
        print("unsafe:", os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE"))
        """,
        tmp_path / "db.sqlite3",
    )
    assert result.returncode == 0, result.stderr
    assert "refused" in result.stdout, "sync ORM inside an event loop should raise"
    assert "unsafe: None" in result.stdout


@pytest.mark.slow
def test_setup_uses_redis_when_redis_url_is_set(tmp_path: Path) -> None:
    code = "import course; course.setup(migrate=False)"
    env_code = f"import os; os.environ['REDIS_URL'] = 'redis://127.0.0.1:1/0'; {code}"
    result = run_fresh(env_code, tmp_path / "db.sqlite3")
    assert result.returncode == 0, result.stderr
    assert "channel layer: RedisChannelLayer" in result.stdout


@pytest.mark.slow
def test_five_setups_at_once_on_a_new_database_all_succeed(tmp_path: Path) -> None:
    # Five kernels opened at once on a fresh clone: each would create the same tables.
    db, go = tmp_path / "db.sqlite3", tmp_path / "go"
    code = f"""
        import pathlib, time, course, django.db.migrations.executor
        print("ready", flush=True)
        while not pathlib.Path({str(go)!r}).exists():
            time.sleep(0.002)
        course.setup(quiet=True)
        """
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DEMO_DB"] = str(db)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code)],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(5)
    ]
    try:
        for proc in procs:  # all imported, none set up yet: then all at once
            assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        go.touch()
        results = [proc.communicate(timeout=60) for proc in procs]
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
    failed = [err for proc, (_, err) in zip(procs, results, strict=True) if proc.returncode]
    assert not failed, f"{len(failed)} of 5 setups failed:\n{failed[0]}"
    with sqlite3.connect(db) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"chat_message", "django_migrations", "auth_user"} <= tables
    assert not list(tmp_path.glob("*.lock")), "the lock file stayed behind"
