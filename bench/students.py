"""Many students on one host: the whole course, N students at once, as separate processes.

    python -m bench.students [-n 8] [--only 00 06]        (make students)

Each student is an OS process with its own HOME, XDG folders, course state folder, demo
database and copy of notebooks/ and solutions/, as separate users on one JupyterHub host
would be. It works through the course in order (lesson 00, lesson 01, its solutions, ...),
every notebook in a fresh kernel (course.authoring.nbrun). One student alone first, then N at once.
Meanwhile bench/procs.py samples every 0.25 s the memory of every process a student started
(kernels, daphnes, redis-servers, workers, found by an environment variable they inherit)
and the TCP ports each listens on; no port may be held by two students at once. Then the
cross-talk probes (bench/crosstalk.py) run N at once: a Redis per student, then one shared
Redis with a prefix per student. The full course writes "students" in bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import results
from bench.procs import MARKER, Sampler
from course import lessons as catalogue
from course._paths import REPO_ROOT
from course.authoring import nbrun
from course.live.redis_server import start_redis

CELL_TIMEOUT = 180  # seconds a cell may take with the machine shared N ways


def course_order(only: list[str]) -> list[Path]:
    """Every lesson, each followed by its solutions notebook, as a student goes."""
    order = []
    for number, lesson in catalogue.lessons().items():
        if only and number not in only:
            continue
        order += [lesson.path, *([lesson.solution] if lesson.solution else [])]
    return order


def student(name: str, root: Path, only: list[str]) -> dict[str, Any]:
    """Run as one student: copy the notebooks into our own folder and run them in order.

    A kernel that does not answer within nbclient's 60 s start-up wait (a host loaded well
    past its cores) is started once more, as a student would, and counted in ``slow_starts``.
    """
    runs, slow_starts = [], 0
    for source in course_order(only):
        copy = root / name / "course" / source.parent.name / source.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, copy)
        notebook = f"{source.parent.name}/{source.stem}"
        for attempt in (1, 2):
            try:
                run = nbrun.run(copy, timeout=CELL_TIMEOUT)
            except RuntimeError as error:  # "Kernel didn't respond in 60 seconds"
                slow_starts += 1
                if attempt == 2 or "Kernel didn't respond" not in str(error):
                    runs.append({"notebook": notebook, "error": repr(error), "seconds": 0.0})
                    break
                continue
            error = run.error.strip().splitlines()[-1] if run.error else None
            runs.append({"notebook": notebook, "error": error, "seconds": round(run.seconds, 1)})
            break
    seconds = round(sum(r["seconds"] for r in runs), 1)
    return {"name": name, "runs": runs, "seconds": seconds, "slow_starts": slow_starts}


def student_env(name: str, root: Path) -> dict[str, str]:
    """A separate user's environment: its own home, XDG folders, scratch and database."""
    home = root / name / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "COURSE_REDIS_PREFIX")}
    env.update(HOME=str(home), XDG_DATA_HOME=f"{home}/.local/share")
    env.update(XDG_CONFIG_HOME=f"{home}/.config", XDG_CACHE_HOME=f"{home}/.cache")
    env.update(TMPDIR=str(root / name / "tmp"), COURSE_STATE_DIR=str(root / name / "tmp"))
    env.update(DEMO_DB=f"{home}/.local/share/asgi-channels-live/db.sqlite3", **{MARKER: name})
    for folder in (home / ".local/share/asgi-channels-live", root / name / "tmp"):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return env


def run_class(names: list[str], root: Path, only: list[str]) -> dict[str, Any]:
    """Every student in *names* at once, each its own process; their reports and the samples."""
    sampler = Sampler()
    sampler.start()
    start = time.perf_counter()
    argv = [
        sys.executable,
        "-m",
        "bench.students",
        "--root",
        str(root),
        "--only",
        *only,
        "--student",
    ]
    procs = [
        subprocess.Popen(
            [*argv, name], cwd=REPO_ROOT, env=student_env(name, root), stdout=subprocess.PIPE
        )
        for name in names
    ]
    reports = [_report(name, proc) for name, proc in zip(names, procs, strict=True)]
    wall = time.perf_counter() - start
    sampler.done.set()
    sampler.join()
    return {"wall": wall, "reports": reports, "sampler": sampler}


def _report(name: str, proc: subprocess.Popen[bytes]) -> dict[str, Any]:
    """A student's report; a student process that died counts as one failed run."""
    lines = proc.communicate()[0].splitlines()
    if proc.returncode == 0 and lines:
        return dict(json.loads(lines[-1]))
    died = {"notebook": "(the student's process)", "error": f"exit {proc.returncode}"}
    return {"name": name, "runs": [{**died, "seconds": 0.0}], "seconds": 0.0}


def run_probes(count: int, root: Path, shared: str | None) -> list[dict[str, Any]]:
    """*count* cross-talk probes at once: each with its own Redis, or all on *shared*."""
    sync = Path(tempfile.mkdtemp(dir=root))
    argv = [sys.executable, "-m", "bench.crosstalk", "--peers", str(count), "--sync", str(sync)]
    procs = []
    for i in range(count):
        env = student_env(f"probe{i}", root)
        if shared:
            env.update(REDIS_URL=shared, COURSE_REDIS_PREFIX=f"course-probe{i}")
        procs.append(
            subprocess.Popen([*argv, "--me", f"probe{i}"], env=env, stdout=subprocess.PIPE)
        )
    outputs = [proc.communicate()[0] for proc in procs]
    return [
        {"isolated": proc.returncode == 0, **json.loads(out.splitlines()[-1])}
        for proc, out in zip(procs, outputs, strict=True)
    ]


def summarise(alone: dict[str, Any], together: dict[str, Any]) -> dict[str, Any]:
    """The figures of one run alone and N at once."""
    reports, sampler = together["reports"], together["sampler"]
    seconds = [report["seconds"] for report in reports]
    errors = [run for report in reports for run in report["runs"] if run["error"]]
    ports = sampler.ports
    held = [port for name in ports for port in ports[name]]
    kinds: dict[str, int] = {}
    for name in ports:
        for kind in ports[name].values():
            kinds[kind] = kinds.get(kind, 0) + 1
    alone_seconds = alone["reports"][0]["seconds"]
    return {
        "students": len(reports),
        "cpus": os.cpu_count(),
        "notebooks_each": len(reports[0]["runs"]),
        "passed": sum(len(report["runs"]) for report in reports) - len(errors),
        "failed": len(errors),
        "failures": sorted({f"{run['notebook']}: {run['error']}" for run in errors}),
        "alone_failed": sum(1 for run in alone["reports"][0]["runs"] if run["error"]),
        "alone_seconds": alone_seconds,
        "student_seconds_median": round(statistics.median(seconds), 1),
        "student_seconds_max": max(seconds),
        "slowdown": round(statistics.median(seconds) / alone_seconds, 2),
        "wall_seconds": round(together["wall"], 1),
        "peak_pss_mb": round(sampler.peak_mb),
        "peak_pss_mb_alone": round(alone["sampler"].peak_mb),
        "peak_pss_mb_one_student": round(max(sampler.peak_mb_by.values())),
        "peak_rss_mb_summed": round(sampler.peak_rss_mb),
        "ports_listened": len(held),
        "ports_per_student": {name: len(ports[name]) for name in sorted(ports)},
        "ports_by_kind": dict(sorted(kinds.items())),
        "ports_reused_later": len(held) - len(set(held)),
        "port_clashes": len(sampler.clashes),
        "kernel_slow_starts": sum(report.get("slow_starts", 0) for report in reports),
    }


def probe_figures(probes: list[dict[str, Any]]) -> dict[str, int]:
    figures = {"probes": len(probes), "isolated": sum(p["isolated"] for p in probes)}
    if "refused_by" in probes[0]:
        figures["knocks"] = sum(p["other_redis"] for p in probes)
        figures["refused"] = sum(p["refused_by"] for p in probes)
    return figures


def table(alone: dict[str, Any], together: dict[str, Any]) -> str:
    lines = [
        f"{'student':10} {'passed':>6} {'failed':>6} {'seconds':>8} {'ports':>5} {'PSS MB':>7}"
    ]
    for run in (alone, together):
        for report in run["reports"]:
            name, failed = report["name"], sum(1 for r in report["runs"] if r["error"])
            ports = len(run["sampler"].ports.get(name, {}))
            peak = run["sampler"].peak_mb_by.get(name, 0)
            passed = len(report["runs"]) - failed
            lines.append(
                f"{name:10} {passed:6} {failed:6} {report['seconds']:8.1f} {ports:5} {peak:7.0f}"
            )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--students", type=int, default=8)
    parser.add_argument("--only", nargs="*", default=[], help="lesson numbers, e.g. 00 06")
    parser.add_argument("--student", help=argparse.SUPPRESS)  # run as this one student
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--hub", action="store_true", help="through a real hub (hub/students.py)")
    args = parser.parse_args(argv)
    if args.hub:  # make students HUB=1
        from hub import students as through_hub

        return through_hub.main(args.students, args.only)
    if args.student:
        print(json.dumps(student(args.student, args.root, args.only)))
        return 0
    root = Path(tempfile.mkdtemp(prefix="asgi-students-"))
    load = os.getloadavg()[0]
    try:
        alone = run_class(["alone"], root, args.only)
        names = [f"s{i + 1}" for i in range(args.students)]
        together = run_class(names, root, args.only)
        own = run_probes(args.students, root, shared=None)
        # A Redis the students share, as a hub's would be: on TCP, which every user reaches.
        shared_redis = start_redis(name="students-shared", tcp=True)
        shared = run_probes(args.students, root, shared=shared_redis.url)
        shared_redis.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    figures = summarise(alone, together)
    figures.update(load_average_before=round(load, 2))
    figures.update(redis_per_student=probe_figures(own), shared_redis=probe_figures(shared))
    print(table(alone, together))
    print(json.dumps(figures, indent=2))
    if not args.only:
        results.update("students", {"students": figures})
    isolated = all(p["isolated"] for p in own + shared)
    clean = not figures["failed"] and not figures["alone_failed"]
    return 0 if clean and isolated and not figures["port_clashes"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
