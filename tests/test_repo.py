"""Repository hygiene: committed notebooks carry no outputs, the README matches the files."""

import json
import re
import tomllib
from pathlib import Path

import pytest

from course._paths import REPO_ROOT

NOTEBOOKS = sorted(
    p
    for folder in ("notebooks", "exercises", "solutions")
    for p in (REPO_ROOT / folder).glob("*.ipynb")
)
README = (REPO_ROOT / "README.md").read_text()


def test_there_is_a_lesson_00() -> None:
    assert (REPO_ROOT / "notebooks" / "00-welcome-and-setup.ipynb").exists()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        assert not cell.get("outputs"), f"cell {i} has outputs: clear them before committing"
        assert cell.get("execution_count") is None, f"cell {i} has an execution count"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_name_is_number_and_short_name(path: Path) -> None:
    assert re.fullmatch(r"\d\d-[a-z0-9-]+\.ipynb", path.name), path.name


def test_readme_course_map_links_existing_lessons() -> None:
    links = re.findall(r"\]\((notebooks/[^)]+\.ipynb)\)", README)
    assert links, "the README's course map links no lesson"
    for link in links:
        assert (REPO_ROOT / link).exists(), f"README links {link}, which does not exist"
    for path in (REPO_ROOT / "notebooks").glob("*.ipynb"):
        assert f"notebooks/{path.name}" in README, f"{path.name} is missing from the course map"


def test_binder_badge_opens_lesson_00_of_this_repository() -> None:
    repo = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["urls"]
    slug = repo["Repository"].removeprefix("https://github.com/")
    badge = re.search(
        r"https://mybinder\.org/v2/gh/([^/]+/[^/]+)/([^?]+)\?urlpath=([^)\s]+)", README
    )
    assert badge, "no Binder badge in the README"
    assert badge.group(1) == slug, "the Binder badge points at another repository"
    target = badge.group(3).removeprefix("lab/tree/")
    assert (REPO_ROOT / target).exists(), f"the Binder badge opens {target}, which does not exist"


def test_readme_gives_the_two_commands_and_the_conda_path() -> None:
    for text in ("make lab", "make test", "conda env create -f environment.yml"):
        assert text in README
