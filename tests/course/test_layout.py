"""The toolkit's shape (docs/maintainers.md, "The toolkit's rooms"): few modules at the top,
small modules, package faces that only re-export. lint-imports keeps the floors."""

import ast
from pathlib import Path

import pytest

from course._paths import REPO_ROOT

COURSE = REPO_ROOT / "course"
MODULES = sorted(p for p in COURSE.rglob("*.py") if "__pycache__" not in p.parts)
FACES = [p for p in MODULES if p.name == "__init__.py" and p.parent != COURSE]
MOST_AT_THE_TOP = 14
MOST_LINES = 260


def test_few_modules_sit_directly_in_course() -> None:
    top = sorted(p.name for p in COURSE.glob("*.py"))
    assert len(top) <= MOST_AT_THE_TOP, f"{len(top)} modules in course/: {top}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(COURSE)))
def test_no_module_is_long(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MOST_LINES, f"{path.relative_to(REPO_ROOT)} has {lines} lines"


def only_reexports(tree: ast.Module) -> list[str]:
    """The statements of a package face that do more than import and name what it exports."""
    extra = []
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            continue  # imports for type checkers
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] in (
            ["__all__"],
            ["__getattr__"],  # course._lazy.lazy(...): the same names, loaded on first use
        ):
            continue
        extra.append(f"line {node.lineno}: {ast.unparse(node).splitlines()[0]}")
    return extra


@pytest.mark.parametrize("path", FACES, ids=lambda p: p.parent.name)
def test_a_package_face_only_reexports(path: Path) -> None:
    tree = ast.parse(path.read_text())
    assert "__all__" in path.read_text(), f"{path.relative_to(REPO_ROOT)} names no __all__"
    extra = only_reexports(tree)
    assert not extra, f"{path.relative_to(REPO_ROOT)} defines things: {extra}"


def test_the_face_check_sees_a_definition() -> None:
    face = ast.parse('"""Doc."""\nfrom a import b\n__all__ = ["b"]\n\ndef c() -> None: ...\n')
    assert only_reexports(face) == ["line 5: def c() -> None:"]
