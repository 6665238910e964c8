"""Django settings for the class board (a hub service: JUPYTERHUB_* come from the hub)."""

import hashlib
import os

PREFIX = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/board/")
# Stable for the hub's run: derived from the service's own token, never written anywhere.
SECRET_KEY = hashlib.sha256(
    b"class-board:" + os.environ.get("JUPYTERHUB_API_TOKEN", "not-on-a-hub").encode()
).hexdigest()
DEBUG = False
# Behind the hub's proxy under whatever name the class uses; the consumer checks Origin.
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = ["hub.board"]
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware"]
ROOT_URLCONF = "hub.board.urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BOARD_DB", ":memory:"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The instructor's login lives in a signed cookie scoped to the board: no session table.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_NAME = "class-board-session"
SESSION_COOKIE_PATH = PREFIX
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600

USE_TZ = True
TIME_ZONE = "UTC"
