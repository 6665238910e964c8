"""bench/crosstalk.py: students on one host never hear each other through Redis.

Real processes, a real redis-server: the probes join the same group name and send to it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from course._paths import REPO_ROOT
from course.live.redis_server import start_redis

pytestmark = pytest.mark.slow

MESSAGES = 10


def run_probes(sync: Path, envs: list[dict[str, str]]) -> list[dict]:
    """Start one probe per environment, all at once; return their reports."""
    base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "COURSE_REDIS_PREFIX")}
    argv = [sys.executable, "-m", "bench.crosstalk", "--peers", str(len(envs))]
    argv += ["--sync", str(sync), "--messages", str(MESSAGES)]
    procs = [
        subprocess.Popen(
            [*argv, "--me", f"s{i}"],
            cwd=REPO_ROOT,
            env={**base, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i, env in enumerate(envs)
    ]
    outputs = [proc.communicate(timeout=90) for proc in procs]
    for (out, err), proc in zip(outputs, procs, strict=True):
        assert out.strip(), f"a probe printed nothing (exit {proc.returncode}): {err}"
    return [json.loads(out.splitlines()[-1]) for out, _ in outputs]


def test_prefixes_keep_three_students_apart_on_one_redis(tmp_path: Path) -> None:
    redis = start_redis(name="shared", tcp=True)  # as bench/students.py shares one
    envs = [{"REDIS_URL": redis.url, "COURSE_REDIS_PREFIX": f"course-s{i}"} for i in range(3)]
    reports = run_probes(tmp_path, envs)
    for report in reports:
        assert report["shared_redis"]
        assert report["heard"] == {report["me"]: MESSAGES}, f"{report['me']} heard others"
    assert [r["prefix"] for r in reports] == ["course-s0", "course-s1", "course-s2"]


def test_without_a_prefix_of_their_own_they_hear_each_other(tmp_path: Path) -> None:
    """The probe can fail: with one prefix for all, every message reaches everyone."""
    redis = start_redis(name="shared", tcp=True)
    envs = [{"REDIS_URL": redis.url, "COURSE_REDIS_PREFIX": "course-all"} for _ in range(3)]
    for report in run_probes(tmp_path, envs):
        assert report["heard"] == {"s0": MESSAGES, "s1": MESSAGES, "s2": MESSAGES}


def test_a_redis_per_kernel_refuses_the_other_students(tmp_path: Path) -> None:
    reports = run_probes(tmp_path, [{}, {}])
    assert reports[0]["redis_socket"] != reports[1]["redis_socket"]
    for report in reports:
        assert report["heard"] == {report["me"]: MESSAGES}
        assert report["other_redis"] == 1 and report["refused_by"] == 1, report
