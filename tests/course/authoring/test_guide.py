"""course/authoring/guide.py: the workshop guide's generated parts (its FAQ included) stay true."""

import re
from pathlib import Path

import pytest

from course.authoring import guide
from course.explain import catalog
from course.lessons import Lesson, lessons


def lesson(number: str, minutes: int, *needs: str) -> Lesson:
    return Lesson(Path(f"{number}-x.ipynb"), f"{number} · X", minutes, needs)


def test_the_committed_guide_is_up_to_date() -> None:
    assert guide.main(["--check"]) == 0, "run `python -m course guide`"


def test_every_lesson_states_its_minutes() -> None:
    assert all(lesson.minutes > 0 for lesson in lessons().values())


def test_a_schedule_adds_minutes_and_breaks_and_lists_the_rest() -> None:
    known = {"00": lesson("00", 10), "01": lesson("01", 30, "00"), "02": lesson("02", 45, "01")}
    plan = guide.Plan("09:00", (("00",), ("01",)), (("Lunch", 60),))
    table = guide.schedule(plan, known)
    assert "| 09:00 | [00 · X](../notebooks/00-x.ipynb) | 10 |" in table
    assert "| 09:10 | *Lunch* | 60 |" in table
    assert "| 10:10 | [01 · X](../notebooks/01-x.ipynb) | 30 |" in table
    assert "| 10:40 | *End* | |" in table
    assert table.endswith("Self-study afterwards (45 min): [02 · X](../notebooks/02-x.ipynb)")


def test_a_schedule_refuses_a_lesson_before_its_prerequisites() -> None:
    known = {"00": lesson("00", 10), "01": lesson("01", 30, "00")}
    with pytest.raises(ValueError, match="prerequisites"):
        guide.schedule(guide.Plan("09:00", (("01", "00"),), ()), known)


@pytest.mark.parametrize("name", list(guide.PLANS))
def test_the_plans_start_with_lesson_00_and_teach_each_lesson_once(name: str) -> None:
    taught = [number for session in guide.PLANS[name].sessions for number in session]
    assert taught[0] == "00" and len(taught) == len(set(taught))
    assert set(taught) <= set(lessons())


def test_only_marked_blocks_are_rewritten() -> None:
    text = (
        "# Guide\n\nhand-written\n<!-- guide:half-day -->\nstale\n<!-- /guide:half-day -->\nend\n"
    )
    fresh = guide.render(text)
    assert fresh.startswith("# Guide\n\nhand-written\n<!-- guide:half-day -->\n| Starts |")
    assert "stale" not in fresh and fresh.endswith("<!-- /guide:half-day -->\nend\n")
    with pytest.raises(KeyError):
        guide.render("<!-- guide:nonsense -->\n<!-- /guide:nonsense -->")


def test_the_students_figures_become_sentences() -> None:
    probes = {"probes": 8, "isolated": 8, "knocks": 56, "refused": 56}
    figures = {
        "students": 8, "cpus": 2, "notebooks_each": 25, "passed": 200, "failed": 0,
        "alone_seconds": 130.0, "student_seconds_median": 500.0, "slowdown": 3.85,
        "student_seconds_max": 520.0, "wall_seconds": 530.0, "peak_pss_mb": 2400,
        "peak_pss_mb_alone": 450, "peak_pss_mb_one_student": 500, "peak_rss_mb_summed": 7000,
        "ports_listened": 900,
        "ports_by_kind": {"daphne": 300, "ipykernel": 600}, "port_clashes": 0,
        "redis_per_student": probes, "shared_redis": {"probes": 8, "isolated": 8},
    }  # fmt: skip
    text = guide.students({"students": figures})
    assert "**8 students at once on 2 cores**" in text and "200 notebooks passed, 0 failed" in text
    assert "(daphne: 300, ipykernel: 600); 0 held by two students at once" in text
    assert "56 of 56 knocks" in text and "leaves 524 MB spare" in text
    assert "30 × 500 + 128 = 15128 MB" in text
    assert guide.students({}).startswith("*Not measured yet")


def test_sizing_asks_for_more_when_a_student_needs_it() -> None:
    assert "raise the 1 GB limit suggested above to at least 1250 MB" in guide.sizing(1000, 900)
    assert "(1100 MB) is within the 2 GB mybinder.org allows (over its 450 MB" in guide.sizing(
        1100, 1100
    )
    assert "(2100 MB) is over the 2 GB" in guide.sizing(2100, 2100)
    assert "budget 900 MB per student" in guide.sizing(500, 900)  # the larger of the two peaks


def test_the_hub_figures_become_sentences() -> None:
    figures = {
        "students": 8, "cpus": 2, "notebooks_each": 3, "lessons": ["00", "01"], "passed": 24,
        "failed": [], "board_reports": 32, "hub_start_seconds": 5.1, "spawn_seconds_max": 20.0,
        "student_seconds_max": 90.0, "hub_stop_seconds": 3.0, "peak_pss_mb": 2000,
        "peak_pss_mb_one_student": 300,
    }  # fmt: skip
    text = guide.hub({"students_hub": figures})
    assert "**8 students at once through `make hub` on 2 cores**" in text
    assert "24 notebooks passed, 0 failed" in text and "received 32 check() results" in text
    assert "300 MB" in text and "30 students working at once needs 10 GB" in text
    with_course = guide.hub({"students_hub": figures, "students": {"peak_pss_mb_one_student": 700}})
    assert "peak per student (700 MB, above)" in with_course and "needs 21 GB" in with_course
    assert guide.hub({}).startswith("*Not measured yet")


def test_every_pain_point_has_a_one_line_answer_and_a_link() -> None:
    answers = [point.answer for point in catalog.PAIN_POINTS]
    assert all("\n" not in answer and answer.endswith(".") for answer in answers)
    text = guide.faq(catalog.places())
    assert len(text.splitlines()) == 25 and "→ —" not in text
    for line, answer in zip(text.splitlines(), answers, strict=True):
        assert f". {answer} → " in line, line


def test_the_guide_s_links_lead_somewhere() -> None:
    text = guide.DOC.read_text()
    headings = {
        re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
        for title in re.findall(r"^#{2,3} (.+)$", text, re.M)
    }
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if target.startswith("#"):
            assert target[1:] in headings, f"no heading for {target}"
        elif "://" not in target:
            path = target.split("#")[0]
            assert (guide.DOC.parent / path).exists(), f"the guide links {path}, which is missing"
