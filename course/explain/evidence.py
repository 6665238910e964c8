"""What a failed cell offers the error explainer (course/explain/extension.py), and nothing more.

A ``Failure`` holds the exception and the cell's source, and answers the questions the
rules in course/explain/rules.py ask: what was raised (chained causes and ExceptionGroup
members included), what it says (its message, and the output a failed command carries),
which files its traceback passed through, what those frames held, and what the cell or
the code in the traceback mentions.
"""

from __future__ import annotations

import re
import sysconfig
from collections.abc import Iterator, Mapping
from types import CodeType, FrameType, FunctionType, TracebackType
from typing import Any

# Frames of the shell itself hold the whole session (the shell, its namespace): not evidence.
SHELL_FILES = ("/IPython/", "/ipykernel/")
# Library code: what it names says nothing about what the student wrote.
LIBRARIES = ("-packages/", sysconfig.get_paths()["stdlib"].replace("\\", "/") + "/")


def type_names(cls: type) -> set[str]:
    """Every name a class answers to, its bases' included: ``ChannelFull``,
    ``channels.exceptions.ChannelFull``, ``Exception``, ``builtins.Exception``..."""
    names = set()
    for base in cls.__mro__:
        names |= {base.__name__, f"{base.__module__}.{base.__qualname__}"}
    return names


def class_names(value: object) -> set[str]:
    """Every name *value*'s class answers to (see type_names)."""
    return type_names(type(value))


def _walk(error: BaseException, *, handled: bool) -> Iterator[BaseException]:
    """*error*, its explicit causes and the members of any ExceptionGroup among them; with
    *handled*, also the exceptions being handled when each was raised (``__context__``)."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        links = (current.__cause__, current.__context__ if handled else None)
        todo += [e for e in links if e is not None]
        if isinstance(current, BaseExceptionGroup):
            todo.extend(current.exceptions)


def _frames(tb: TracebackType | None) -> Iterator[FrameType]:
    while tb is not None:
        yield tb.tb_frame
        tb = tb.tb_next


def _file(frame: FrameType) -> str:
    return frame.f_code.co_filename.replace("\\", "/")


def _library(filename: str) -> bool:
    return any(part in filename.replace("\\", "/") for part in LIBRARIES)


def _code_words(code: CodeType) -> Iterator[str]:
    """The names and strings in *code* and the functions nested in it."""
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, str):
            yield const
        elif isinstance(const, CodeType):
            yield from _code_words(const)


def _functions(value: object) -> list[FunctionType]:
    """A function, or the methods of a class."""
    if isinstance(value, FunctionType):
        return [value]
    if isinstance(value, type):
        return [v for v in vars(value).values() if isinstance(v, FunctionType)]
    return []


class Failure:
    """One failed cell: its error, and the evidence the explainer's rules look at."""

    def __init__(self, error: BaseException, source: str = "") -> None:
        self.error = error
        self.source = source
        self.raised = list(_walk(error, handled=False))
        self.chain = list(_walk(error, handled=True))
        self.frames = [
            frame
            for exc in self.chain
            for frame in _frames(exc.__traceback__)
            if not any(part in _file(frame) for part in SHELL_FILES)
        ]

    def is_a(self, *names: str) -> bool:
        """Was an exception of one of these classes (or a subclass) raised?"""
        return any(class_names(exc) & set(names) for exc in self.raised)

    def says(self, pattern: str) -> bool:
        """Does a raised exception's message, or the output it carries, match *pattern*?"""
        texts = []
        for exc in self.raised:
            texts.append(str(exc))
            for name in ("stdout", "stderr", "output"):
                value = getattr(exc, name, None)
                if isinstance(value, bytes):
                    value = value.decode(errors="replace")
                if isinstance(value, str):
                    texts.append(value)
        return any(re.search(pattern, text) for text in texts)

    def passed(self, path: str, function: str | None = None) -> bool:
        """Did the traceback pass through a file whose path contains *path* (in *function*)?"""
        return any(
            path in _file(frame) and function in (None, frame.f_code.co_name)
            for frame in self.frames
        )

    def objects(self) -> Iterator[object]:
        """What the traceback's frames held: their locals, and the globals their code names."""
        for frame in self.frames:
            if frame.f_code.co_name != "<module>":  # a module's locals are all its globals
                yield from frame.f_locals.values()
            for name in frame.f_code.co_names:
                if name in frame.f_globals:
                    yield frame.f_globals[name]

    def holds(self, *names: str) -> list[Any]:
        """The objects in the frames whose class answers to one of *names*."""
        found: dict[int, Any] = {}
        for value in self.objects():
            if class_names(value) & set(names):
                found[id(value)] = value
        return list(found.values())

    def holds_message(self, *types: str) -> bool:
        """Did a frame hold an ASGI message (a mapping) of one of these types?"""
        return any(
            isinstance(value, Mapping) and value.get("type") in types for value in self.objects()
        )

    def mentions(self, word: str) -> bool:
        """Is *word* (any case) in the cell's source, or among the names and strings of the
        code that failed and of the functions and classes it or the cell names (yours, not
        the libraries')?"""
        word = word.lower()
        return word in self.source.lower() or any(word in w.lower() for w in self._words())

    def _words(self) -> Iterator[str]:
        names = set(re.findall(r"[A-Za-z_]\w*", self.source))
        namespaces: dict[int, dict[str, Any]] = {}
        for frame in self.frames:
            if not _library(frame.f_code.co_filename):
                yield from _code_words(frame.f_code)
                names.update(frame.f_code.co_names)
                namespaces[id(frame.f_globals)] = frame.f_globals
        for namespace in namespaces.values():
            for name in names:
                for func in _functions(namespace.get(name)):
                    if not _library(func.__code__.co_filename):
                        yield from _code_words(func.__code__)
