"""Make the students' exercise notebooks from the solution notebooks.

    python -m course exercises            write exercises/ from solutions/ (`make exercises`)
    python -m course exercises --check    fail if exercises/ is not what solutions/ gives

``solutions/NN-name.ipynb`` is the only copy anyone edits. Each answer sits between
``### BEGIN SOLUTION`` and ``### END SOLUTION``, with at least one ``### HINT: ...`` line
inside; the exercise notebook gets ``raise NotImplementedError("<hint>")`` there instead.
Cells that are just ``check("name")`` are locked and tagged ``check`` for the grader.
"""

from __future__ import annotations

import argparse
import ast
import copy
import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import nbformat

from course._paths import REPO_ROOT
from course.authoring.nbclean import clean
from course.checking.cells import check_name, lock

BEGIN, END, HINT = "### BEGIN SOLUTION", "### END SOLUTION", "### HINT:"
_COMPILE_FLAGS = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT  # cells may `await`


class ReleaseError(Exception):
    """A solution notebook that cannot be turned into an exercise notebook."""


class Registered(Protocol):
    """What release needs of an exercise: course.checking.model.Exercise fits."""

    @property
    def name(self) -> str: ...
    @property
    def lesson(self) -> str: ...


Registry = Mapping[str, Registered]


def release_source(src: str, where: str) -> str:
    """*src* (one cell's code) with each solution region replaced by a hinted stub."""
    out: list[str] = []
    start = 0  # line number of the open BEGIN marker, 0 when outside a region
    indent, hints = "", list[str]()
    for number, line in enumerate(src.split("\n"), 1):
        marker = line.strip()
        if marker == BEGIN:
            if start:
                raise ReleaseError(f"{where}, line {number}: {BEGIN} inside the one at {start}")
            start, indent, hints = number, line[: len(line) - len(line.lstrip())], []
        elif marker == END:
            if not start:
                raise ReleaseError(f"{where}, line {number}: {END} without a {BEGIN}")
            if not hints:
                raise ReleaseError(
                    f"{where}, line {start}: a solution needs a `{HINT} ...` line "
                    "(the hint is all the student sees in its place)"
                )
            # repr() is always a valid literal, whatever quotes or backslashes the hint holds.
            out += [
                f"{indent}# YOUR CODE HERE",
                f"{indent}raise NotImplementedError({' '.join(hints)!r})",
            ]
            start = 0
        elif marker.startswith(HINT):
            if not start:  # a hint outside a region would reach the student as a stray comment
                raise ReleaseError(f"{where}, line {number}: {HINT} outside a solution")
            if text := marker[len(HINT) :].strip():
                hints.append(text)
        elif not start:
            out.append(line)
    if start:
        raise ReleaseError(f"{where}, line {start}: {BEGIN} without an {END}")
    return "\n".join(out)


def _compiles(src: str, where: str) -> None:
    """Raise ReleaseError unless the released cell is valid (IPython-flavoured) Python."""
    if any(line.lstrip().startswith(("%", "!")) for line in src.splitlines()):
        return  # IPython magics are not Python; the notebook test run covers those cells
    try:
        compile(src, where, "exec", flags=_COMPILE_FLAGS)
    except SyntaxError as e:
        raise ReleaseError(f"{where}, line {e.lineno}: released code is invalid: {e.msg}") from e


def _default_registry() -> Registry:
    from course.checks import EXERCISES  # lazy: tests and tools pass their own registry

    return EXERCISES


def release_notebook(
    nb: Any, lesson: str, registry: Registry | None = None, *, origin: str = ""
) -> Any:
    """The exercise notebook for solution notebook *nb* of *lesson* (nb is left as is)."""
    registry = _default_registry() if registry is None else registry
    origin = origin or f"{lesson}.ipynb"
    nb = clean(copy.deepcopy(nb))
    checks: Counter[str] = Counter()
    for number, cell in enumerate(nb.cells, 1):
        if cell.cell_type != "code":
            continue
        where = f"{origin}, cell {number} (id {cell.get('id', '?')})"
        cell.source = release_source(cell.source, where)
        _compiles(cell.source, where)
        if (name := check_name(cell.source)) is not None:
            checks[name] += 1
            lock(cell)
    _validate(checks, lesson, registry, origin)
    nb.metadata["course"] = {"lesson": lesson}
    return nb


def _validate(checks: Counter[str], lesson: str, registry: Registry, origin: str) -> None:
    """One check cell per exercise of the lesson, and none for anything else."""
    by_name = {e.name: e for e in registry.values()}
    problems = [
        f"no check cell for exercise {name!r}"
        for name, e in sorted(by_name.items())
        if e.lesson == lesson and not checks[name]
    ]
    for name, count in sorted(checks.items()):
        if name not in by_name:
            problems.append(f"check({name!r}): there is no such exercise in course/checks")
        elif by_name[name].lesson != lesson:
            problems.append(f"check({name!r}) belongs to lesson {by_name[name].lesson!r}")
        elif count > 1:
            problems.append(f"check({name!r}) appears {count} times; once is enough")
    if problems:
        raise ReleaseError(f"{origin}: " + "; ".join(problems))


def render(nb: Any) -> str:
    """The file text nbformat.write would produce for *nb* (JSON, sorted keys, final newline)."""
    text: str = nbformat.writes(nb)  # type: ignore[no-untyped-call]
    return text if text.endswith("\n") else text + "\n"


def build(solutions: Path, registry: Registry | None = None) -> dict[str, str]:
    """File name → text of every exercise notebook that *solutions* gives."""
    if not solutions.is_dir():
        raise ReleaseError(f"{solutions}: no such folder")
    built = {}
    for path in sorted(solutions.glob("*.ipynb")):
        try:
            nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
        except ValueError as e:  # includes nbformat's NotJSONError
            raise ReleaseError(f"{path}: not a notebook: {e}") from e
        origin = f"{solutions.name}/{path.name}"
        built[path.name] = render(release_notebook(nb, path.stem, registry, origin=origin))
    return built


def main(argv: list[str] | None = None, registry: Registry | None = None) -> int:
    """`python -m course exercises [--check]`: 0 done/up to date, 1 out of date, 2 error."""
    parser = argparse.ArgumentParser(
        prog="python -m course exercises",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--check", action="store_true", help="compare only; write nothing")
    parser.add_argument("--solutions", type=Path, default=REPO_ROOT / "solutions")
    parser.add_argument("--exercises", type=Path, default=REPO_ROOT / "exercises")
    args = parser.parse_args(argv)
    target: Path = args.exercises
    try:
        built = build(args.solutions, registry)
    except ReleaseError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    on_disk = {p.name for p in target.glob("*.ipynb")} if target.is_dir() else set()
    extra = sorted(on_disk - built.keys())
    changed = [n for n, text in built.items() if not _same(target / n, text)]
    shown = f"{target.name}/"
    if args.check:
        for name in changed:
            print(f"{'out of date' if name in on_disk else 'missing'}: {shown}{name}")
        for name in extra:
            print(f"extra (no solution): {shown}{name}")
        if changed or extra:
            print(f"{shown} is out of date: run `make exercises`")
            return 1
        print(f"{shown} is up to date ({len(built)} notebooks)")
        return 0
    target.mkdir(parents=True, exist_ok=True)
    for name in changed:  # unchanged files are left alone, so their mtimes stay put
        (target / name).write_text(built[name], encoding="utf-8", newline="\n")
        print(f"wrote {shown}{name}")
    for name in extra:
        (target / name).unlink()
        print(f"removed {shown}{name}")
    print(f"{shown} has {len(built)} notebooks ({len(changed)} written, {len(extra)} removed)")
    return 0


def _same(path: Path, text: str) -> bool:
    try:
        return path.read_bytes() == text.encode("utf-8")
    except FileNotFoundError:
        return False


if __name__ == "__main__":
    sys.exit(main())
