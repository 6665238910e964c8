"""The chat pages. Every link they hold is relative, so they work behind a proxy prefix."""

import re

from django.shortcuts import redirect, render

from .consumers import PRIVATE_PREFIX, ROOM_NAME

VALID_ROOM = re.compile(ROOM_NAME)
SUGGESTED_ROOMS = ["lobby", "python", "random", "private-staff"]


def index(request):
    """List a few rooms; ``?room=NAME`` (the form) goes to that room's page."""
    name = request.GET.get("room", "").strip()
    error = ""
    if name:
        # "." and ".." fit the rule but a browser folds them out of a URL path.
        if VALID_ROOM.fullmatch(name) and name.strip("."):
            # Relative redirect: the browser resolves it against the current page,
            # which keeps a /proxy/PORT/ prefix the server never sees.
            return redirect(f"chat/{name}/")
        error = "Room names are 1 to 50 letters, digits, '-', '_' or '.' (not only dots)."
    context = {"rooms": SUGGESTED_ROOMS, "room": name, "error": error}
    return render(request, "chat/index.html", context, status=400 if error else 200)


def room(request, room_name):
    """The page for one room; its JavaScript opens the WebSocket."""
    context = {"room_name": room_name, "private": room_name.startswith(PRIVATE_PREFIX)}
    return render(request, "chat/room.html", context)
