"""course/lab.py: the lab receives a notebook with the kernel's language_info; the file stays."""

import json
import platform
from pathlib import Path

from ipykernel.ipkernel import IPythonKernel

from course import lab
from course._paths import REPO_ROOT


def test_the_language_info_is_what_the_kernel_will_report() -> None:
    assert IPythonKernel.language_info == lab.LANGUAGE_INFO
    assert lab.LANGUAGE_INFO["version"] == platform.python_version()


def test_only_python3_notebooks_get_it() -> None:
    python = {"type": "notebook", "content": {"metadata": {"kernelspec": {"name": "python3"}}}}
    other = {"type": "notebook", "content": {"metadata": {"kernelspec": {"name": "ir"}}}}
    listing = {"type": "notebook", "content": None}  # a model asked for without content
    assert lab.with_language_info(python)["content"]["metadata"]["language_info"]["version"]
    assert "language_info" not in lab.with_language_info(other)["content"]["metadata"]
    assert lab.with_language_info(listing) == {"type": "notebook", "content": None}


async def test_the_manager_sends_it_and_leaves_the_file_alone(tmp_path: Path) -> None:
    source = REPO_ROOT / "notebooks" / "00-welcome-and-setup.ipynb"
    (tmp_path / "lesson.ipynb").write_bytes(source.read_bytes())
    manager = lab.CourseContentsManager(root_dir=str(tmp_path))
    model = await manager.get("lesson.ipynb")
    assert model["content"]["metadata"]["language_info"] == lab.LANGUAGE_INFO
    assert (tmp_path / "lesson.ipynb").read_bytes() == source.read_bytes()


def test_make_setup_and_binder_install_the_manager() -> None:
    config = json.loads((REPO_ROOT / "lab" / "jupyter_server_config.json").read_text())
    assert config["ServerApp"]["contents_manager_class"] == "course.lab.CourseContentsManager"
    for script in ("Makefile", "postBuild"):
        assert "lab/jupyter_server_config.json" in (REPO_ROOT / script).read_text(), script
