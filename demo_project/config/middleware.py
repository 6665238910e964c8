"""Project-wide middleware for running behind a path prefix the app cannot see."""

import posixpath

from django.utils.deprecation import MiddlewareMixin


def relative_location(current_path: str, location: str) -> str:
    """*location* ("/chat/lobby/") rewritten relative to the page at *current_path*.

    >>> relative_location("/chat/lobby", "/chat/lobby/")
    'lobby/'
    >>> relative_location("/accounts/login/", "/")
    '../../'
    """
    path, sep, query = location.partition("?")
    base = current_path.rsplit("/", 1)[0] + "/"  # the "folder" a browser resolves against
    relative = posixpath.relpath(path, base)
    if relative == ".":
        relative = "./"
    elif path.endswith("/"):
        relative += "/"
    return relative + sep + query


class RelativeRedirectMiddleware(MiddlewareMixin):
    """Make same-site redirects relative.

    Behind jupyter-server-proxy the demo lives at ``/user/NAME/proxy/PORT/`` but sees
    only ``/chat/lobby``; the proxy strips the prefix. Django's redirects (APPEND_SLASH,
    login, logout) then point at ``/chat/lobby/``, outside the proxy. A relative
    ``Location`` resolves against the browser's real URL and keeps the prefix.
    """

    def process_response(self, request, response):
        location = response.get("Location", "")
        # A path on this site, not "//host/...", which is another site.
        same_site = location.startswith("/") and not location.startswith("//")
        if 300 <= response.status_code < 400 and same_site:
            response["Location"] = relative_location(request.path, location)
        return response
