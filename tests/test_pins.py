"""The pins live in pyproject.toml; environment.yml (Binder) must repeat them exactly."""

import tomllib
from importlib import metadata

import yaml
from packaging.requirements import Requirement

from course._paths import REPO_ROOT


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return {Requirement(r).name.lower(): str(Requirement(r).specifier) for r in reqs}


def environment_yml() -> dict:
    return yaml.safe_load((REPO_ROOT / "environment.yml").read_text())


def environment_pins() -> dict[str, str]:
    deps = environment_yml()["dependencies"]
    pip = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    return {Requirement(r).name.lower(): str(Requirement(r).specifier) for r in pip}


def test_every_pin_is_exact() -> None:
    for name, spec in pyproject_pins().items():
        assert spec.startswith("==") and "," not in spec, f"{name} is not pinned with ==: {spec}"


def test_environment_yml_repeats_pyproject_pins() -> None:
    assert environment_pins() == pyproject_pins(), (
        "environment.yml's pip: section drifted from pyproject.toml; copy the pins over"
    )


def test_binder_python_is_312() -> None:
    assert "python=3.12" in environment_yml()["dependencies"]


def test_installed_versions_match_pins() -> None:
    for name, spec in pyproject_pins().items():
        installed = metadata.version(name)
        assert installed == spec.removeprefix("=="), (
            f"{name} {installed} is installed but pyproject.toml pins {spec}: run `make setup`"
        )
