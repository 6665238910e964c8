"""bench/RESULTS.md and the README's "Performance and reliability" section agree."""

from bench import report, results
from course._paths import REPO_ROOT


def test_readme_quotes_the_summary_of_results_md() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    quoted = readme.split(report.START, 1)[1].split(report.END, 1)[0]
    assert quoted.strip() == report.section(report.RESULTS_MD.read_text()).strip(), (
        "the README's figures differ from bench/RESULTS.md: run `python -m bench.report`"
    )


def test_results_md_is_what_the_figures_say() -> None:
    data = results.load()
    data["soak"] = results.load(results.SOAK)
    assert report.RESULTS_MD.read_text() == report.render(data), (
        "bench/RESULTS.md is stale or edited by hand: run `python -m bench.report`"
    )


def test_a_goal_missed_is_marked() -> None:
    goal = report.Goal("course", lambda d: d["course_seconds"], 90, " s")
    assert goal.row({"course_seconds": 91}).endswith("| 91 s | ✗ |")
    assert goal.row({"course_seconds": 89.5}).endswith("| 89.5 s | ✓ |")
    assert "not measured" in goal.row({})


def test_make_bench_is_dated_by_its_own_scripts_not_by_make_students() -> None:
    data = {
        "measured": {
            "lessons": "2026-11-24 22:01 UTC, 2 cores (load 0.6), Python 3.11.7",
            "course": "2026-11-24 21:55 UTC, 2 cores (load 1.2), Python 3.11.7",
            "students": "2026-11-24 22:45 UTC, 2 cores (load 4.2), Python 3.11.7",
        }
    }
    assert "`make bench` (2026-11-24 22:01 UTC" in report.summary(data)
