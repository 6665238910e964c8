"""A consumer per instructor page: it joins the group ``board`` and forwards each new cell."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from hub.board import summary
from hub.board.models import Attempt
from hub.board.views import GROUP


def _same_origin(scope: dict[str, Any]) -> bool:
    """Origin's host is the Host the page was served from (no cross-site WebSocket hijacking)."""
    headers = dict(scope["headers"])
    origin, host = headers.get(b"origin", b"").decode(), headers.get(b"host", b"").decode()
    return bool(origin) and urlsplit(origin).netloc == host


class BoardConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    async def connect(self) -> None:
        """Called when the page opens its WebSocket: only the instructor's, from the board."""
        user = await self.scope["session"].aget("hub_user")
        if not user or not user["admin"] or not _same_origin(self.scope):
            await self.close()  # before accept: the browser sees an HTTP 403
            return
        # Join the board's group
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()
        await self.send_snapshot()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The page asks for a fresh snapshot now and then ("stuck" grows with time)."""
        if content == {"type": "snapshot"}:
            await self.send_snapshot()

    async def send_snapshot(self) -> None:
        attempts = [a async for a in Attempt.objects.all()]
        cells = summary.cells(attempts, datetime.now(UTC))
        await self.send_json(
            {
                "type": "snapshot",
                "exercises": summary.exercises(),
                "cells": summary.as_json(cells),
            }
        )

    async def board_cell(self, event: dict[str, Any]) -> None:
        """type "board.cell" → board_cell: one student's exercise changed."""
        await self.send_json({"type": "cell", "cell": event["cell"]})
