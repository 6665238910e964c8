"""One cell's solution regions, and the stubs that take their place in the exercise.

A region runs from ``### BEGIN SOLUTION`` to ``### END SOLUTION``. Its stub says what to
write there (the function around it, with its parameters) and which ``hint("name")`` helps;
the wording is course/checking/stubs.py's, so checks and the explainer can read it back.
"""

from __future__ import annotations

import ast

from course.checking.stubs import Stub

BEGIN, END, HINT = "### BEGIN SOLUTION", "### END SOLUTION", "### HINT"
HINTS_FILE = "course/checks/hints.toml"
COMPILE_FLAGS = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT  # cells may `await`
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


class ReleaseError(Exception):
    """A solution notebook that cannot be turned into an exercise notebook."""


def release_source(src: str, where: str, exercise: str) -> str:
    """*src* (one cell's code) with each solution region replaced by the stub of *exercise*."""
    out: list[str] = []
    start = 0  # line number of the open BEGIN marker, 0 when outside a region
    indent = ""
    for number, line in enumerate(src.split("\n"), 1):
        marker = line.strip()
        if marker.startswith(HINT):
            raise ReleaseError(
                f"{where}, line {number}: hints live in {HINTS_FILE}, not in the solution "
                f"(the stub only says where they are): move this {HINT} line there"
            )
        if marker == BEGIN:
            if start:
                raise ReleaseError(f"{where}, line {number}: {BEGIN} inside the one at {start}")
            start, indent = number, line[: len(line) - len(line.lstrip())]
        elif marker == END:
            if not start:
                raise ReleaseError(f"{where}, line {number}: {END} without a {BEGIN}")
            stub = Stub(what_to_write(src, start), exercise)
            # repr() is always a valid literal, whatever quotes or backslashes it holds.
            out += [
                f"{indent}# YOUR CODE HERE",
                f"{indent}raise NotImplementedError({stub.message()!r})",
            ]
            start = 0
        elif not start:
            out.append(line)
    if start:
        raise ReleaseError(f"{where}, line {start}: {BEGIN} without an {END}")
    return "\n".join(out)


def what_to_write(src: str, line: int) -> str:
    """What the region at *line* of *src* answers: the function around it, with its
    parameters (``greeting_app(scope, receive, send)``, ``RoomConsumer.connect()``)."""
    try:
        tree = compile(src, "cell", "exec", flags=COMPILE_FLAGS)
    except SyntaxError:
        return "your answer"
    found: list[str] = []

    def visit(node: ast.AST, names: list[str], in_class: bool) -> None:
        for child in ast.iter_child_nodes(node):
            first: int = getattr(child, "lineno", 0)
            last: int = getattr(child, "end_lineno", None) or first
            inside = 0 < first <= line <= last
            if isinstance(child, ast.ClassDef) and inside:
                visit(child, [*names, child.name], True)
            elif isinstance(child, _FUNCTIONS) and inside:
                found[:] = [f"{'.'.join([*names, child.name])}({_parameters(child, in_class)})"]
                visit(child, [*names, child.name], False)
            elif inside:
                visit(child, names, in_class)

    visit(tree, [], False)
    return found[0] if found else "your answer"


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> str:
    """The parameter names the student sees, without defaults, ``self`` or ``cls``."""
    arguments = function.args
    names = [a.arg for a in [*arguments.posonlyargs, *arguments.args]]
    if method and names and names[0] in ("self", "cls"):
        names = names[1:]
    if arguments.vararg:
        names.append(f"*{arguments.vararg.arg}")
    names += [a.arg for a in arguments.kwonlyargs]
    if arguments.kwarg:
        names.append(f"**{arguments.kwarg.arg}")
    return ", ".join(names)


def raises_when_run(src: str) -> bool:
    """Does running the released cell *src* reach a stub (one outside any function body)?"""
    try:
        tree = compile(src, "cell", "exec", flags=COMPILE_FLAGS)
    except SyntaxError:
        return True

    def visit(node: ast.AST) -> bool:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (*_FUNCTIONS, ast.Lambda)):
                continue
            if isinstance(child, ast.Raise) and _is_stub(child):
                return True
            if visit(child):
                return True
        return False

    return visit(tree)


def _is_stub(node: ast.Raise) -> bool:
    call = node.exc
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "NotImplementedError"
        and len(call.args) == 1
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
        and Stub.parse(call.args[0].value) is not None
    )


__all__ = [
    "BEGIN",
    "COMPILE_FLAGS",
    "END",
    "HINT",
    "HINTS_FILE",
    "ReleaseError",
    "raises_when_run",
    "release_source",
    "what_to_write",
]
