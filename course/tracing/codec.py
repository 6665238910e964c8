"""Plain copies of scopes and events, and the JSON lines a traced server writes.

A JSON line keeps bytes as ``{"$bytes": "<latin-1 text>"}``: reversible, and still
readable in the file (``{"$bytes": "GET"}``).
"""

import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

BYTES_KEY = "$bytes"
_MAX_DEPTH = 20


def plain(value: Any, _depth: int = 0) -> Any:
    """A deep copy made only of dicts, lists, str, bytes, numbers, bool and None.

    Tuples become lists. Anything else (a Django user, a session) becomes "<TypeName>":
    its repr is never called, since a lazy user's repr would query the database.
    """
    # type(), not isinstance(): isinstance() asks a lazy object's __class__, which loads it.
    kind = type(value)
    if value is None or issubclass(kind, bool | int | float | str | bytes):
        return value
    if issubclass(kind, bytearray | memoryview):
        return bytes(value)
    if _depth >= _MAX_DEPTH:
        return "<…>"
    if issubclass(kind, Mapping):
        return {str(key): plain(item, _depth + 1) for key, item in value.items()}
    if issubclass(kind, list | tuple | set | frozenset):
        return [plain(item, _depth + 1) for item in value]
    return f"<{kind.__name__}>"


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {BYTES_KEY: value.decode("latin-1")}
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and isinstance(obj.get(BYTES_KEY), str):
        return obj[BYTES_KEY].encode("latin-1")
    return obj


def dumps(record: Mapping[str, Any]) -> str:
    """One record as one line of JSON (no newline), bytes encoded reversibly."""
    return json.dumps(record, default=_encode)


def loads(line: str | bytes) -> Any:
    """The inverse of dumps(): bytes come back as bytes."""
    return json.loads(line, object_hook=_decode)


class JsonlSink:
    """Append one JSON line per record to a file, safe with concurrent connections.

    Each line goes out in one unbuffered ``write()`` on a file opened with O_APPEND, so
    lines from concurrent connections never interleave (the lock only orders writers
    within this process), and a reader sees every line as soon as it is written.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._fd: int | None = self._open()  # the file exists as soon as the server is up

    def _open(self) -> int:
        return os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def __call__(self, record: Mapping[str, Any]) -> None:
        data = memoryview((dumps(record) + "\n").encode())
        with self._lock:
            if self._fd is None:
                self._fd = self._open()
            while data:
                data = data[os.write(self._fd, data) :]

    def close(self) -> None:
        """Close the file; the next record opens it again."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def read_records(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every complete record in a JSON lines file.

    A last line without its newline is still being written (or its writer was killed):
    it is left out, and so is any line that is not a JSON object. A file that does not
    exist yet holds no records.
    """
    records: list[dict[str, Any]] = []
    if not Path(path).exists():
        return records
    for line in Path(path).read_bytes().split(b"\n")[:-1]:
        try:
            record = loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records
