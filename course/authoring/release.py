"""Make the students' exercise notebooks from the solution notebooks.

    python -m course exercises            write exercises/ from solutions/ (`make exercises`)
    python -m course exercises --check    fail if exercises/ is not what solutions/ gives

``solutions/NN-name.ipynb`` is the only copy anyone edits. Each answer sits between
``### BEGIN SOLUTION`` and ``### END SOLUTION``; the exercise notebook gets a stub there that
says what to write and where the hints are, never a hint:
``raise NotImplementedError('Write greeting_app(scope, receive, send) here. Stuck? Run
hint("greeting-app")')`` (course/checking/stubs.py). An answer belongs to the exercise of the
next check cell; its hints are in course/checks/hints.toml, the one place they are written.
Cells that are just ``check("name")`` are locked and tagged ``check`` for the grader. Every
other code cell from the first stub on is tagged ``raises-exception`` (a cell that only
defines a stubbed function is not: it runs fine), so *Run All* goes on past a try-it cell that
calls an unwritten answer and reaches every check cell, which then says "not written yet".
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import nbformat

from course._paths import REPO_ROOT
from course.authoring.nbclean import clean
from course.authoring.regions import (
    BEGIN,
    COMPILE_FLAGS,
    HINTS_FILE,
    ReleaseError,
    raises_when_run,
    release_source,
)
from course.checking.cells import check_name, lock

MAY_FAIL = "raises-exception"  # JupyterLab's Run All and nbmake go on past a cell tagged so


class Registered(Protocol):
    """What release needs of an exercise: course.checking.model.Exercise fits."""

    @property
    def name(self) -> str: ...
    @property
    def lesson(self) -> str: ...


Registry = Mapping[str, Registered]
Hints = Mapping[str, Sequence[str]]


def _compiles(src: str, where: str) -> None:
    """Raise ReleaseError unless the released cell is valid (IPython-flavoured) Python."""
    if any(line.lstrip().startswith(("%", "!")) for line in src.splitlines()):
        return  # IPython magics are not Python; the notebook test run covers those cells
    try:
        compile(src, where, "exec", flags=COMPILE_FLAGS)
    except SyntaxError as e:
        raise ReleaseError(f"{where}, line {e.lineno}: released code is invalid: {e.msg}") from e


def _default_registry() -> Registry:
    from course.checks import EXERCISES  # lazy: tests and tools pass their own registry

    return EXERCISES


def _default_hints() -> Hints:
    from course.checks.hints import load  # lazy, as above

    return load()


def release_notebook(
    nb: Any,
    lesson: str,
    registry: Registry | None = None,
    *,
    origin: str = "",
    hints: Hints | None = None,
) -> Any:
    """The exercise notebook for solution notebook *nb* of *lesson* (nb is left as is)."""
    registry = _default_registry() if registry is None else registry
    hints = _default_hints() if hints is None else hints
    origin = origin or f"{lesson}.ipynb"
    nb = clean(copy.deepcopy(nb))
    code = [(number, cell) for number, cell in enumerate(nb.cells, 1) if cell.cell_type == "code"]
    checks = Counter(name for _, cell in code if (name := check_name(cell.source)) is not None)
    _validate(checks, lesson, registry, origin)
    stubbed = False  # a stub came before: from here on a cell may fail until it is written
    for at, (number, cell) in enumerate(code):
        where = f"{origin}, cell {number} (id {cell.get('id', '?')})"
        if check_name(cell.source) is not None:
            lock(cell)
            continue
        has_answer = any(line.strip() == BEGIN for line in cell.source.split("\n"))
        exercise = _next_check(code[at:])
        if has_answer:
            if exercise is None:
                raise ReleaseError(
                    f"{where}: an answer after the last check cell; it belongs above the "
                    "check cell of its exercise"
                )
            if not hints.get(exercise):
                raise ReleaseError(f"{where}: exercise {exercise!r} has no hints in {HINTS_FILE}")
        cell.source = release_source(cell.source, where, exercise or "")
        _compiles(cell.source, where)
        stubbed = stubbed or has_answer
        if stubbed and (not has_answer or raises_when_run(cell.source)):
            tags = cell.metadata.setdefault("tags", [])
            if MAY_FAIL not in tags:
                tags.append(MAY_FAIL)
    nb.metadata["course"] = {"lesson": lesson}
    return nb


def _next_check(cells: Sequence[tuple[int, Any]]) -> str | None:
    """The exercise of the first check cell among *cells*."""
    names = (check_name(cell.source) for _, cell in cells)
    return next((name for name in names if name is not None), None)


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


def build(
    solutions: Path, registry: Registry | None = None, hints: Hints | None = None
) -> dict[str, str]:
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
        released = release_notebook(nb, path.stem, registry, origin=origin, hints=hints)
        built[path.name] = render(released)
    return built


def main(
    argv: list[str] | None = None, registry: Registry | None = None, hints: Hints | None = None
) -> int:
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
        built = build(args.solutions, registry, hints)
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
