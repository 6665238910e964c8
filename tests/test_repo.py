"""Repository hygiene: committed notebooks carry no outputs, the README matches the files."""

import re
import subprocess
import tomllib
from pathlib import Path

import nbformat
import pytest

from course._paths import REPO_ROOT
from course.authoring import nbclean

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
    nb = nbformat.read(path, as_version=4)
    assert not nbclean.dirt(nb), f"{path.name} was committed after a run: `make strip`"
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_strip_cleans_a_run_notebook_and_keeps_tags(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1/0", metadata={"tags": ["raises-exception"]})
    cell.outputs = [nbformat.v4.new_output("stream", text="x")]
    cell.execution_count = 3
    cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00Z"}
    nb.cells.append(cell)
    path = tmp_path / "run.ipynb"
    nbformat.write(nb, path)
    assert nbclean.dirt(nbformat.read(path, as_version=4)) == [
        "cell 0: execution, outputs, execution_count"
    ]
    nbclean.main([str(path)])
    cleaned = nbformat.read(path, as_version=4)
    assert not nbclean.dirt(cleaned)
    assert cleaned.cells[0].metadata == {"tags": ["raises-exception"]}


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


def tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-s"], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return out.stdout.splitlines()


def test_nothing_machine_specific_is_tracked() -> None:
    links = [line.split("\t", 1)[1] for line in tracked_files() if line.startswith("120000")]
    assert not links, f"tracked symlinks point at one machine's files: {links}"
    local = re.compile(r"file://|\"/(?:tmp|home|root|opt|work|Users|var)/")
    for name in ("bench/results.json", "bench/soak.json", "bench/RESULTS.md"):
        text = (REPO_ROOT / name).read_text()
        found = local.findall(text)
        assert not found, f"{name} holds local paths of the machine that measured it: {found}"


def test_the_project_cites_no_file_it_does_not_have() -> None:
    for line in tracked_files():
        name = line.split("\t", 1)[1]
        path = REPO_ROOT / name
        if path.suffix in (".py", ".md", ".ipynb", ".toml") and path.exists():
            text = "" if name == "tests/test_repo.py" else path.read_text(errors="replace")
            for cited in ("REFERENCE.md", "DESIGN.md", "STYLE.md", "reviews/"):
                assert cited not in text, f"{name} cites {cited}, which is not in the project"
