"""The board's HTTP side: the page (admin only, via the hub's OAuth), the CSV, and the API
each student's ``check()`` POSTs its result to."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseRedirect,
    JsonResponse,
)
from django.views.decorators.csrf import csrf_exempt

from hub.board import hubauth, summary
from hub.board.models import Attempt

GROUP = "board"
PAGE = Path(__file__).with_name("page.html").read_text()
EXERCISE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


async def instructor(request: HttpRequest) -> dict[str, Any] | HttpResponse:
    """The logged-in admin, or the response to give instead (a login redirect, or 403)."""
    user = await request.session.aget("hub_user")
    if user is None:
        url, pending = hubauth.login_redirect()
        await request.session.aset("oauth", pending)
        return HttpResponseRedirect(url)
    if not user["admin"]:
        return HttpResponseForbidden(f"{user['name']} is not the instructor: the board is theirs.")
    return dict(user)


async def page(request: HttpRequest) -> HttpResponse:
    found = await instructor(request)
    if isinstance(found, HttpResponse):
        return found
    return HttpResponse(PAGE.replace("{{ instructor }}", escape(found["name"])))


async def oauth_callback(request: HttpRequest) -> HttpResponse:
    pending = await request.session.apop("oauth", None)
    code, state = request.GET.get("code"), request.GET.get("state")
    if not pending or not code or state != pending["state"]:
        return HttpResponseForbidden("This login is stale: open the board again.")
    model = await hubauth.finish_login(code, pending)
    if model is None:
        return HttpResponseForbidden("The hub did not recognise this login.")
    await request.session.aset("hub_user", {"name": model["name"], "admin": model.get("admin")})
    return HttpResponseRedirect(settings.PREFIX)


async def results_csv(request: HttpRequest) -> HttpResponse:
    found = await instructor(request)
    if isinstance(found, HttpResponse):
        return found
    attempts = [a async for a in Attempt.objects.all()]
    response = HttpResponse(summary.as_csv(summary.cells(attempts, datetime.now(UTC))))
    response["Content-Type"] = "text/csv; charset=utf-8"
    response["Content-Disposition"] = 'attachment; filename="class-board.csv"'
    return response


def _parse(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
        fields = {
            "exercise": str(data["exercise"]),
            "points": int(data["points"]),
            "max_points": int(data["max_points"]),
            "hints": int(data.get("hints", 0)),
            "at": datetime.fromisoformat(data["at"]),
        }
    except (ValueError, KeyError, TypeError):
        return None
    valid = (
        EXERCISE.match(fields["exercise"])
        and 0 <= fields["points"] <= fields["max_points"] <= 1000
        and 0 <= fields["hints"] <= 1000
        and fields["at"].tzinfo is not None
    )
    return fields if valid else None


@csrf_exempt  # a token in a header, not a cookie: nothing to forge across sites
async def report(request: HttpRequest) -> HttpResponse:
    """POST one ``check()`` result, as the student whose hub token comes with it."""
    if request.method != "POST":
        return HttpResponse(status=405)
    token = request.headers.get("Authorization", "").removeprefix("token ").strip()
    user = await hubauth.user_for_token(token) if token else None
    if user is None:
        return HttpResponseForbidden("Send the student's own hub token.")
    fields = _parse(request.body)
    if fields is None:
        return HttpResponseBadRequest("Expected exercise, points, max_points, hints and at.")
    attempt = await Attempt.objects.acreate(student=user["name"], **fields)
    # The cell it changed, to every instructor page (each a consumer in the group).
    same = Attempt.objects.filter(student=attempt.student, exercise=attempt.exercise)
    cell = summary.cell([a async for a in same], datetime.now(UTC))
    layer = get_channel_layer()
    assert layer is not None
    await layer.group_send(GROUP, {"type": "board.cell", "cell": summary.as_json([cell])[0]})
    return JsonResponse({"stored": attempt.pk}, status=201)
