"""What a trace is made of: Events, grouped by Connection, collected in a Trace.

The classes render themselves (render.py): a Mermaid diagram in JupyterLab,
a plain-text table anywhere else.
"""

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from course.display import Table
from course.tracing import render
from course.tracing.codec import read_records

Direction = Literal["receive", "send"]


@dataclass(frozen=True)
class Event:
    """One ASGI message: "receive" goes server → app, "send" goes app → server."""

    t: float  # seconds since the connection started
    direction: Direction
    message: dict[str, Any]

    @property
    def type(self) -> str:
        return str(self.message.get("type", "?"))


@dataclass(eq=False)
class Connection:
    """One call of the app (one scope): its events in order, and how it ended."""

    id: int
    scope: dict[str, Any]
    events: list[Event] = field(default_factory=list)
    started_at: float = 0.0  # wall clock, time.time()
    ended: float | None = None  # seconds after the start when the app returned or raised
    error: str | None = None  # "ValueError: boom" when the app raised

    @property
    def type(self) -> str:
        return str(self.scope.get("type", "?"))

    def messages(
        self, type: str | None = None, direction: Direction | None = None
    ) -> list[dict[str, Any]]:
        """The messages, optionally only those of one type or one direction."""
        return [
            event.message
            for event in self.events
            if type in (None, event.type) and direction in (None, event.direction)
        ]

    def scope_summary(self) -> str:
        """One line: ``http GET /api/v1/data?filter=active``."""
        return render.scope_summary(self.scope)

    def scope_view(self) -> Table:
        """The whole scope, one key a line, bytes shown as bytes."""
        return render.scope_view(self.scope)

    def mermaid(self) -> str:
        """A Mermaid sequenceDiagram of this connection."""
        return render.mermaid([self])

    def table(self) -> Table:
        """The events as a table (HTML in a notebook, text elsewhere)."""
        return render.event_table([self])

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/vnd.mermaid": self.mermaid(), "text/plain": repr(self.table())}

    def __repr__(self) -> str:
        return f"<Connection {render.headline(self)}>"


class Trace:
    """Connections in the order they started: what a Tracer records or a file holds."""

    def __init__(self, connections: Iterable[Connection] = ()) -> None:
        self.connections: list[Connection] = list(connections)

    def __len__(self) -> int:
        return len(self.connections)

    def __iter__(self) -> Iterator[Connection]:
        return iter(self.connections)

    def __getitem__(self, index: int) -> Connection:
        return self.connections[index]

    @property
    def last(self) -> Connection:
        """The connection that started last."""
        if not self.connections:
            raise LookupError("nothing traced yet: send a request to the traced app first")
        return self.connections[-1]

    def filter(self, type: str | None = None, path: str | None = None) -> "Trace":
        """Only the connections of a scope type ("http", "websocket") or under a path."""
        return Trace(
            conn
            for conn in self.connections
            if type in (None, conn.type) and str(conn.scope.get("path", "")).startswith(path or "")
        )

    def mermaid(self, max_connections: int = 8) -> str:
        """One sequenceDiagram: a lane per connection, events in time order."""
        return render.mermaid(self.connections, max_connections)

    def table(self) -> Table:
        """Every event of every connection, in time order."""
        return render.event_table(self.connections)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/vnd.mermaid": self.mermaid(), "text/plain": repr(self.table())}

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {len(self.connections)} connection(s)>"

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> "Trace":
        """Read back what a traced server wrote (see traced_asgi.py); no file yet: empty."""
        conns: dict[tuple[Any, Any], Connection] = {}
        for record in read_records(path):
            kind = record.get("record")
            if kind not in ("scope", "event", "end"):
                continue  # not ours: leave room for other records in the same file
            key = (record.get("pid"), record.get("conn"))
            if key not in conns:
                conns[key] = Connection(len(conns) + 1, {})
            conn = conns[key]
            if kind == "scope":
                conn.scope, conn.started_at = record.get("scope", {}), record.get("at", 0.0)
            elif kind == "event":
                conn.events.append(Event(record["t"], record["direction"], record["message"]))
            else:
                conn.ended, conn.error = record.get("t"), record.get("error")
        return cls(conns.values())
