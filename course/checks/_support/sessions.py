"""Sessions and users a check keeps in memory: a Django session engine and an auth backend.

Lesson 05's ``seed-stack`` checks log a user in through a real ``AuthMiddlewareStack``
without a row in the demo database: the check's settings name this module as
``SESSION_ENGINE`` and ``Backend`` in ``AUTHENTICATION_BACKENDS`` (course/checks/_support/
stack.py). So a check depends on nothing else in the database, and two submissions graded at
once (each in its own kernel) never see each other's users. ``READ`` notes every session key
a middleware loaded: a foreign site's handshake must be refused before its session is read.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase

SESSIONS: dict[str, dict[str, Any]] = {}  # session key -> its data
USERS: dict[int, Any] = {}  # pk -> an unsaved User
READ: list[str] = []  # every session key loaded, in order


class SessionStore(SessionBase):  # type: ignore[misc]  # Django has no type hints here
    """A session engine over ``SESSIONS``; ``load()`` notes the key in ``READ``."""

    def load(self) -> dict[str, Any]:
        key = self.session_key or ""
        READ.append(key)
        return dict(SESSIONS.get(key, {}))

    def exists(self, session_key: str | None) -> bool:
        return session_key in SESSIONS

    def create(self) -> None:
        self._session_key = self._get_new_session_key()
        self.save(must_create=True)
        self.modified = True

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()
        SESSIONS[self.session_key] = self._get_session(no_load=must_create)
        return None

    def delete(self, session_key: str | None = None) -> None:
        SESSIONS.pop(session_key or self.session_key or "", None)

    @classmethod
    def clear_expired(cls) -> None:
        """Nothing expires: a check removes what it made."""


class Backend:
    """An authentication backend over ``USERS``: what AuthMiddleware asks is get_user()."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def get_user(self, user_id: int) -> Any:
        return USERS.get(user_id)


__all__ = ["READ", "SESSIONS", "USERS", "Backend", "SessionStore"]
