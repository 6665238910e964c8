"""The code the grader runs in a student's kernel: the toolkit as it is on the grader's disk.

By the time a check runs, the student's code has run in the same kernel, and may have
redefined ``check``, patched ``course.grading`` or ``course.checks`` in memory, or rewritten
their files on disk. So the grader never calls anything the kernel already holds: it reads
every ``course`` module before any submission runs and compiles it (``bundle()``); before
each grading cell it writes that compiled copy into the kernel's folder, and the cell checks
the copy's SHA-256 (which it carries) and imports the toolkit afresh from it (the kernel's own
``course`` modules are put aside meanwhile and put back after). A copy changed on disk by the
student's code is refused, and that exercise scores 0. The result goes out as display data
of its own MIME type, stamped with a nonce the student's notebook never saw; the grader
reads it only from the output of that very cell, so printed "✓ 5/5" lines count for nothing.

Why a file and not the sources inside the cell: a cell carrying 300 kB of source cost the
kernel about 0.25 s to receive and parse, twice per submission of lesson 01; a short cell
that loads a compiled copy costs a few milliseconds.

What this does not stop: code that patches Python itself (asyncio, hashlib, IPython's
display) before the check runs. Checks that need that level of trust would run outside
the kernel.
"""

from __future__ import annotations

import hashlib
import json
import marshal
from functools import cache
from pathlib import Path
from typing import Any

# The toolkit's own folder (course/), read from this file's place: importing ``course``
# here would climb from the grader back up to the package's face.
COURSE_DIR = Path(__file__).resolve().parents[1]

MIME = "application/vnd.course.grade+json"
BUNDLE = ".course-grader-toolkit.marshal"  # in the kernel's folder

# Runs in the kernel, in a fresh namespace that sees only _NS (the notebook's globals) and _ARGS.
BOOT = r"""
import sys, hashlib, marshal, importlib.abc, importlib.util

class _Copy(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name not in _modules:
            return None
        is_package, filename, _ = _modules[name]
        spec = importlib.util.spec_from_loader(name, self, origin=filename, is_package=is_package)
        if is_package:
            spec.submodule_search_locations = [filename.rsplit("/", 1)[0]]
        return spec

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        _, filename, code = _modules[module.__name__]
        module.__file__ = filename
        exec(code, module.__dict__)

_ours = lambda k: k == "course" or k.startswith("course.")
try:  # the hints the notebook asked for, counted by the kernel's own course.checks.hints
    _hints = sys.modules["course.checks.hints"].hints_used().get(_ARGS["exercise"], 0)
except BaseException:
    _hints = 0
_own = {k: sys.modules.pop(k) for k in list(sys.modules) if _ours(k)}
_modules = {}
_finder = _Copy()
sys.meta_path.insert(0, _finder)
_payload = {"nonce": _ARGS["nonce"], "exercise": _ARGS["exercise"], "hints": _hints}
_text = ""
try:
    with open(_ARGS["bundle"], "rb") as _file:
        _data = _file.read()
    if hashlib.sha256(_data).hexdigest() != _ARGS["sha256"]:
        raise RuntimeError("the grader's copy of the toolkit was changed on disk")
    _modules = marshal.loads(_data)
    from course.checks import grade as _grade
    _report = _grade(_ARGS["exercise"], _NS, timeout=_ARGS["timeout"])
    _payload["results"] = [r.as_dict() for r in _report.results]
    _text = str(_report)
except BaseException as _error:
    _payload["error"] = f"{type(_error).__name__}: {_error}"
    _text = _payload["error"]
finally:
    sys.meta_path.remove(_finder)
    for _name in [k for k in sys.modules if _ours(k)]:
        del sys.modules[_name]
    sys.modules.update(_own)
try:
    from IPython.display import publish_display_data
    publish_display_data({_ARGS["mime"]: _payload, "text/plain": _text})
except BaseException as _error:
    print(f"the grader could not report: {type(_error).__name__}: {_error}")
"""


@cache
def sources() -> dict[str, tuple[bool, str, str]]:
    """Every module of the ``course`` package: name → (is package, file name, source)."""
    root = COURSE_DIR
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (is_package, str(path), path.read_text())
    return found


@cache
def bundle() -> tuple[bytes, str]:
    """The toolkit compiled by the grader (``marshal`` of name → (is package, file name,
    code)), and its SHA-256. The kernel runs the same Python, so it can load the code as is."""
    compiled = {
        name: (is_package, filename, compile(source, filename, "exec"))
        for name, (is_package, filename, source) in sources().items()
    }
    data = marshal.dumps(compiled)
    return data, hashlib.sha256(data).hexdigest()


def grading_cell(exercise: str, nonce: str, timeout: float, folder: Path) -> str:
    """A cell that grades ``exercise`` with the grader's copy of the toolkit, which it
    writes (again) into *folder*, the kernel's own, just before the cell runs."""
    data, digest = bundle()
    path = folder / BUNDLE
    path.write_bytes(data)
    args: dict[str, Any] = {
        "exercise": exercise,
        "nonce": nonce,
        "timeout": timeout,
        "mime": MIME,
        "bundle": str(path),
        "sha256": digest,
    }
    # The arguments stay off the exec line, so a traceback through it stays one short line.
    return (
        f"__course_grading__ = {{'_NS': globals(), '_ARGS': {args!r}}}\n"
        f"exec({BOOT!r}, __course_grading__)\n"
        "del __course_grading__\n"
    )


def read_payload(data: list[dict[str, Any]], nonce: str) -> dict[str, Any] | None:
    """The grading payload with our nonce among a cell's display data, if any."""
    for bundle in data:
        payload = bundle.get(MIME)
        if isinstance(payload, str):  # some transports send JSON as text
            payload = json.loads(payload)
        if isinstance(payload, dict) and payload.get("nonce") == nonce:
            return payload
    return None
