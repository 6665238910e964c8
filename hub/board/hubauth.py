"""Who is asking, according to the hub: JupyterHub's own HubOAuth, from async Django code.

Two ways in. The instructor's browser: OAuth with the hub (``login_redirect``, then the
callback's ``finish_login``), PKCE included. A student's ``check()``: the student's own hub
token in ``Authorization: token ...``, which the hub resolves to a user (``user_for_token``).
"""

from __future__ import annotations

import secrets
from functools import cache
from typing import Any
from urllib.parse import urlencode

from jupyterhub.services.auth import HubOAuth


@cache
def hub() -> HubOAuth:
    """The service's HubOAuth, configured from the JUPYTERHUB_* variables the hub sets."""
    return HubOAuth(cache_max_age=60)


def login_redirect() -> tuple[str, dict[str, str]]:
    """Where to send a browser to log in, and what to keep in its session until it is back."""
    auth = hub()
    state = secrets.token_urlsafe(16)
    verifier, challenge, method = auth.generate_pkce_code_challenge()
    query = {"state": state, "code_challenge": challenge, "code_challenge_method": method}
    return f"{auth.login_url}&{urlencode(query)}", {"state": state, "verifier": verifier}


async def finish_login(code: str, pending: dict[str, str]) -> dict[str, Any] | None:
    """The hub's user model for an OAuth callback's *code*, or None."""
    auth = hub()
    token = await auth.token_for_code(code, code_verifier=pending["verifier"], sync=False)
    model: dict[str, Any] | None = await auth.user_for_token(token, use_cache=False, sync=False)
    return model


async def user_for_token(token: str) -> dict[str, Any] | None:
    """The hub user whose token this is (a student's server token), or None."""
    model: dict[str, Any] | None = await hub().user_for_token(token, sync=False)
    return model
