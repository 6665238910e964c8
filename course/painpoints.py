"""The 25 classic Channels pain points, and the lesson cell that reproduces each one.

    python -m course painpoints [--check]      writes docs/pain-points.md

A lesson tags the cell that reproduces pain point N with ``pain-N``; the cells after it show the
fix. ``seen`` is what the student sees there (an error message, or a symptom shown by the cell's
output): tests/test_lesson_runs.py checks that the tagged cell really shows it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course._generated import write_or_check
from course._paths import REPO_ROOT

DOC = REPO_ROOT / "docs" / "pain-points.md"
TAG = re.compile(r"^pain-(\d+)$")


@dataclass(frozen=True)
class PainPoint:
    number: int
    title: str
    issues: str
    seen: str  # a fragment of the tagged cell's output


@dataclass(frozen=True)
class Place:
    notebook: Path
    cell: int  # 1-based, counting every cell, as JupyterLab's status bar does
    heading: str  # the section the cell is in

    def label(self) -> str:
        """What a link to the cell says: ``04 · Method dispatch, cell 53``."""
        return f"{self.notebook.stem[:2]} · {self.heading or self.notebook.stem}, cell {self.cell}"

    def href(self) -> str:
        """The cell's section, from any folder one level under the repository root (docs/,
        notebooks/, exercises/, solutions/): the doc and the error explainer share it."""
        # JupyterLab's heading ids: the rendered text (no Markdown marks), spaces as dashes.
        text = re.sub(r"[`*]", "", self.heading)
        anchor = "#" + text.replace(" ", "-") if self.heading else ""
        return f"../notebooks/{self.notebook.name}{anchor}"

    def link(self) -> str:
        """A Markdown link to the cell's section."""
        return f"[{self.label()}]({self.href()})"


# REFERENCE.md's list; the issue numbers are django/channels unless named.
PAIN_POINTS = (
    PainPoint(
        1,
        "SynchronousOnlyOperation in async code; lazy querysets",
        "#1916 #1446 #1464 #1501 #2106",
        "SynchronousOnlyOperation",
    ),
    PainPoint(
        2,
        "`async_to_sync` inside a running event loop",
        "#1020 #1194 #848; asgiref #77 #154",
        "cannot use AsyncToSync in the same thread",
    ),
    PainPoint(3, "InMemoryChannelLayer does not cross processes", "#673 #801", "TimeoutError"),
    PainPoint(
        4,
        '`type` "chat.message" ↔ `chat_message`; an unhandled type kills the consumer',
        "#2065 #1261 #1184",
        "No handler for message type",
    ),
    PainPoint(
        5, "Group name rules and length", "#1845 #1229 #626", "must be a valid unicode string"
    ),
    PainPoint(
        6, "WebSocket silently rejected by AllowedHostsOriginValidator", "#2062 #1115", "403"
    ),
    PainPoint(
        7,
        "Channels 4: daphne unbundled, must be in INSTALLED_APPS",
        "#1958 #1956",
        "Starting development server at",
    ),
    PainPoint(
        8,
        "Missing `.as_asgi()`; an ASGI app under a WSGI server",
        "#2050",
        "missing 1 required positional argument: 'send'",
    ),
    PainPoint(
        9,
        '"Django can only handle ASGI/HTTP connections, not websocket"',
        "#1426; daphne #292",
        "Django can only handle ASGI/HTTP connections, not websocket",
    ),
    PainPoint(
        10, "AppRegistryNotReady from import order in asgi.py", "#1564", "AppRegistryNotReady"
    ),
    PainPoint(11, "Lifespan errors under uvicorn", "#2018; uvicorn #709", "lifespan"),
    PainPoint(
        12,
        "URLRouter: unmatched route, nested paths",
        "#1428 #1759 #870",
        "No route found for path",
    ),
    PainPoint(
        13,
        '"Application instance took too long to shut down and was killed"',
        "#1119 #1925; daphne #227",
        "took too long to shut down",
    ),
    PainPoint(
        14,
        "SyncConsumers share one thread",
        "#2132; asgiref #205",
        "'ThreadPoolExecutor-0_0', 'ThreadPoolExecutor-0_0'",
    ),
    PainPoint(
        15,
        "Sending from sync code, other loops and threads",
        "#1876 #2079 #894",
        "nothing within 0.5 s",
    ),
    PainPoint(
        16,
        '"Event loop is closed" with channels_redis',
        "channels_redis #332 #312",
        "Event loop is closed",
    ),
    PainPoint(
        17,
        "ChannelFull, capacity and silent group drops",
        "channels_redis #181 #22; #1244",
        "ChannelFull",
    ),
    PainPoint(
        18,
        "Memory and connection leaks under load",
        "channels_redis #212 #279; daphne #373",
        "connections",
    ),
    PainPoint(19, "Groups expire silently after group_expiry", "—", "group_expiry"),
    PainPoint(
        20,
        "WebSocket sessions are not saved without save()",
        "#1425 #1096 #1402",
        "({'visits': 1}, {'visits': 1})",
    ),
    PainPoint(
        21, "Token auth: browsers cannot set Authorization on a WebSocket", "#300", "HTTP 403"
    ),
    PainPoint(
        22,
        "WebsocketCommunicator pitfalls: timeouts, a dead communicator",
        "#2007 #1947 #908",
        "TimeoutError",
    ),
    PainPoint(
        23, "ChannelsLiveServerTestCase hangs; in-memory SQLite", "#962 #1207 #2176", "sqlite"
    ),
    PainPoint(
        24, "A proxy without Upgrade/Connection headers", "daphne #191; uvicorn #1022", "HTTP 404"
    ),
    PainPoint(
        25, "Test isolation with Redis layers: flush between tests", "channels_redis #348", "flush"
    ),
)


def places_in(nb: Any, path: Path) -> list[tuple[int, Place]]:
    """The cells of one notebook (its JSON, or an nbformat node) tagged ``pain-N``, with the
    section each is in."""
    found = []
    heading = ""
    for i, cell in enumerate(nb["cells"], start=1):
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            titles = re.findall(r"^#{2,3} (.+)$", source, re.M)
            heading = titles[-1].strip() if titles else heading
        for tag in cell.get("metadata", {}).get("tags", []):
            if match := TAG.match(tag):
                found.append((int(match.group(1)), Place(path, i, heading)))
    return found


def places(folder: Path = REPO_ROOT / "notebooks") -> dict[int, list[Place]]:
    """Where each pain point is reproduced, over every lesson."""
    found: dict[int, list[Place]] = {}
    for path in sorted(folder.glob("[0-9][0-9]-*.ipynb")):
        # Plain JSON, not nbformat: importing nbformat takes seconds (jsonschema), and the
        # error explainer (course/explain.py) reads these in every lesson's kernel.
        for number, place in places_in(json.loads(path.read_text()), path):
            found.setdefault(number, []).append(place)
    return found


def render(found: dict[int, list[Place]]) -> str:
    lines = [
        "# The classic Channels pain points, reproduced",
        "",
        "Generated by `python -m course painpoints` from the lessons' `pain-N` cell tags:",
        "do not edit by hand.",
        "Each cell fails (or misbehaves) on purpose; the cells after it show the fix.",
        "",
        "| # | Pain point | What you see | Reproduced in | Issues |",
        "|---|---|---|---|---|",
    ]
    for point in PAIN_POINTS:
        where = " · ".join(place.link() for place in found.get(point.number, [])) or "*not yet*"
        lines.append(
            f"| {point.number} | {point.title} | `{point.seen}` | {where} | {point.issues} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    return write_or_check(DOC, render(places()), argv, "python -m course painpoints")
