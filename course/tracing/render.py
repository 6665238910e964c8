"""How a trace looks: a Mermaid sequence diagram, an event table, a scope view.

Mermaid text is escaped with Mermaid's entity codes (``#59;`` for ``;``), so whatever
an app sends (``;#:"<>`` or newlines) cannot break the diagram.
"""

import json
from collections.abc import Sequence
from typing import Any, Protocol

from course.display import Table


# What rendering reads of course.tracing.model's classes. Protocols, not imports: the model
# renders itself through this module, so importing it here would make a circle.
class Event(Protocol):
    @property
    def t(self) -> float: ...
    @property
    def direction(self) -> str: ...
    @property
    def message(self) -> dict[str, Any]: ...
    @property
    def type(self) -> str: ...


class Connection(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def scope(self) -> dict[str, Any]: ...
    @property
    def events(self) -> Sequence[Event]: ...
    @property
    def started_at(self) -> float: ...
    @property
    def ended(self) -> float | None: ...
    @property
    def error(self) -> str | None: ...


WIDTH = 40  # characters of a value shown in a diagram
TABLE_WIDTH = 72  # … and in a table

_MERMAID = str.maketrans({c: f"#{ord(c)};" for c in '#;"<>&%'} | {"\n": " ", "\r": " ", "\t": " "})


def mermaid_escape(text: str) -> str:
    """Text that Mermaid shows as written: ``a;b`` → ``a#59;b``."""
    return text.translate(_MERMAID)


def short(value: Any, width: int = WIDTH) -> str:
    """A value cut to about ``width`` characters: str as JSON ("hi"), bytes as b'hi'."""
    if isinstance(value, str):
        text = json.dumps(value[:width], ensure_ascii=False)
        if '"' in value and "'" not in value:  # JSON text reads best unescaped: '{"a": 1}'
            text = "'" + text[1:-1].replace('\\"', '"') + "'"
        return text + "…" if len(value) > width else text
    if isinstance(value, bytes):
        return f"{value[:width]!r}…" if len(value) > width else repr(value)
    if isinstance(value, list) and all(isinstance(p, list) and len(p) == 2 for p in value):
        value = [tuple(pair) for pair in value]  # header pairs read best as tuples
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def details(message: dict[str, Any], width: int = WIDTH, full: bool = False) -> str:
    """The keys of a message but its type; short form leaves out headers and empty keys."""
    parts = []
    for key, value in message.items():
        if key == "type":
            continue
        empty = value is None or (key == "trailers" and value is False) or value == ""
        if not full and (key == "headers" or empty):
            continue
        parts.append(f"{key}={short(value, width)}")
    return " ".join(parts)


def label(event: Event, width: int = WIDTH) -> str:
    """``http.response.start (status=200)``."""
    extra = details(event.message, width)
    return f"{event.type} ({extra})" if extra else event.type


def scope_summary(scope: dict[str, Any]) -> str:
    """``http GET /api/v1/data?filter=active``, ``websocket /ws/echo/async/``."""
    parts = [str(scope.get("type", "?"))]
    if "method" in scope:
        parts.append(str(scope["method"]))
    if "path" in scope:
        query = scope.get("query_string") or b""
        if isinstance(query, bytes):
            query = query.decode("latin-1")
        parts.append(f"{scope['path']}?{query}" if query else str(scope["path"]))
    return " ".join(parts)


def outcome(conn: Connection) -> str:
    """How the app's call ended: returned, raised, cancelled, or still running."""
    if conn.ended is None:
        return "still running"
    after = f"after {conn.ended * 1000:.1f} ms"
    if conn.error is None:
        return f"returned {after}"
    if conn.error.startswith("CancelledError"):
        return f"cancelled {after}"
    return f"raised {conn.error} {after}"


def headline(conn: Connection) -> str:
    return f"#{conn.id} {scope_summary(conn.scope)}: {len(conn.events)} events, {outcome(conn)}"


def mermaid(conns: Sequence[Connection], max_connections: int = 8, max_events: int = 200) -> str:
    """A sequenceDiagram: the server, one app lane per connection, events in time order."""
    shown = list(conns)[-max_connections:] if max_connections > 0 else []
    lines = ["sequenceDiagram", "    participant Server"]
    if len(shown) <= 1:
        lanes = {id(conn): "App" for conn in shown}
        lines.append("    participant App")
    else:
        lanes = {id(conn): f"A{i}" for i, conn in enumerate(shown, 1)}
        lines += [f"    participant A{i} as App #35;{conn.id}" for i, conn in enumerate(shown, 1)]
    if len(conns) > len(shown):
        lines.append(
            f"    Note over Server: {len(conns) - len(shown)} earlier connection(s) not shown"
        )
    if not conns:
        lines.append("    Note over Server,App: nothing traced yet")

    timeline: list[tuple[float, str]] = []
    for conn in shown:
        lane = lanes[id(conn)]
        over = "Server,App" if lane == "App" else lane
        timeline.append(
            (conn.started_at, f"Note over {over}: #{conn.id} {scope_summary(conn.scope)}")
        )
        for event in conn.events:
            arrow = f"Server->>{lane}" if event.direction == "receive" else f"{lane}->>Server"
            timeline.append((conn.started_at + event.t, f"{arrow}: {label(event)}"))
        if conn.ended is not None:
            end = outcome(conn)
            line = (
                f"{lane}-xServer: {end}" if end.startswith("raised") else f"Note over {lane}: {end}"
            )
            timeline.append((conn.started_at + conn.ended, line))

    timeline.sort(key=lambda item: item[0])  # stable: each connection keeps its own order
    for _, line in timeline[:max_events]:
        head, sep, text = line.partition(": ")
        lines.append(f"    {head}{sep}{mermaid_escape(text)}")
    if len(timeline) > max_events:
        hidden = len(timeline) - max_events
        lines.append(f"    Note over Server: {hidden} more line(s) not shown, see .table()")
    return "\n".join(lines)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def event_table(conns: Sequence[Connection]) -> Table:
    """All events of ``conns`` in time order; times count from the first connection's start."""
    origin = min((conn.started_at for conn in conns), default=0.0)
    rows: list[tuple[float, tuple[str, ...]]] = []
    for conn in conns:
        base = conn.started_at - origin
        for event in conn.events:
            arrow = "server → app" if event.direction == "receive" else "app → server"
            text = details(event.message, TABLE_WIDTH, full=True)
            rows.append(
                (base + event.t, (str(conn.id), _ms(base + event.t), arrow, event.type, text))
            )
        if conn.ended is not None:
            word = outcome(conn).split()[0]  # returned, raised or cancelled
            end = (str(conn.id), _ms(base + conn.ended), "", f"({word})", conn.error or "")
            rows.append((base + conn.ended, end))
    rows.sort(key=lambda item: item[0])
    columns = ("conn", "t (ms)", "direction", "type", "details")
    if len(conns) == 1:
        return Table(headline(conns[0]), columns[1:], [row[1:] for _, row in rows])
    return Table(f"{len(conns)} connections", columns, [row for _, row in rows])


def scope_view(scope: dict[str, Any]) -> Table:
    """A scope one key a line, values as Python shows them (bytes stay b'…')."""
    rows: list[tuple[str, ...]] = []
    for key, value in scope.items():
        if key == "headers" and isinstance(value, list) and value:
            rows += [(key if i == 0 else "", repr(tuple(pair))) for i, pair in enumerate(value)]
        else:
            rows.append((key, repr(value)))
    return Table("", ("key", "value"), rows, header=False)
