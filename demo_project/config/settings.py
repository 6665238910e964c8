"""
Django settings for the course's demo project.

One project serves every lesson. Everything a lesson may need to change comes from
environment variables, so the notebook kernel and a daphne subprocess it starts read
the same configuration:

- REDIS_URL            use channels_redis instead of the in-memory channel layer
- COURSE_REDIS_PREFIX  key prefix for the Redis layer (one per kernel on a shared host)
- DEMO_ALLOWED_HOSTS   extra host names, comma-separated (a JupyterHub's public host)
- DEMO_DB              path of the SQLite database file (default: see default_database)
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent

# A teaching project that only ever listens on 127.0.0.1: the key is public on purpose.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "asgi-course-demo-insecure-key")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"

# localhost for the notebook and tests; a JupyterHub or Binder host arrives through
# jupyter-server-proxy with the hub's Host and Origin headers, so the toolkit passes it in.
EXTRA_HOSTS = [h.strip() for h in os.environ.get("DEMO_ALLOWED_HOSTS", "").split(",") if h.strip()]
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver", *EXTRA_HOSTS]
# Behind a hub the browser's page is https while the proxy talks plain http to daphne.
# The hub's proxy sets X-Forwarded-Proto and jupyter-server-proxy passes it on: trusting
# it (the server listens on 127.0.0.1 only) lets Django's CSRF check see the browser's
# https origin, and the hub's own origins are trusted for form posts (the login page).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [
    f"{scheme}://{h}" for h in EXTRA_HOSTS if h != "*" for scheme in ("https", "http")
]

INSTALLED_APPS = [
    # "daphne" is left out on purpose: listed here it installs Twisted's reactor on import,
    # which a Jupyter kernel cannot host. The toolkit runs daphne as a subprocess instead.
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "basics",
    "chat",
]

MIDDLEWARE = [
    # First, so it sees every redirect the others make (see config/middleware.py).
    "config.middleware.RelativeRedirectMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# Pages may be framed by their own origin only. Through jupyter-server-proxy that origin is
# the Jupyter server, so course.side_by_side() can show the chat inside a notebook; any other
# site is still refused (Django's default, DENY, would refuse the notebook too).
X_FRAME_OPTIONS = "SAMEORIGIN"

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = None
ASGI_APPLICATION = "config.asgi.application"


def default_database(base_dir: Path = BASE_DIR) -> Path:
    """db.sqlite3 beside manage.py; in a per-user folder when that is read-only (a course
    installed once for every student on a shared JupyterHub host)."""
    if os.access(base_dir, os.W_OK):
        return base_dir / "db.sqlite3"
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    (data / "asgi-channels-live").mkdir(parents=True, exist_ok=True)
    return data / "asgi-channels-live" / "db.sqlite3"


DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DEMO_DB") or str(default_database()),
        # Several processes (kernel, daphne, tests) may share the file: wait, don't fail.
        "OPTIONS": {"timeout": 20},
    }
}


def redis_host(url: str) -> dict:
    """A channels_redis host for *url*, its password kept out of the URL: the layer prints
    its hosts (``print(get_channel_layer())``), and a credential provider prints none."""
    parts = urlsplit(url)
    host = {"address": url, "socket_timeout": 30}
    if parts.password:
        from redis.credentials import UsernamePasswordCredentialProvider

        host["address"] = url.replace(parts.netloc, parts.netloc.rsplit("@", 1)[1], 1)
        host["credential_provider"] = UsernamePasswordCredentialProvider(
            unquote(parts.username) if parts.username else None, unquote(parts.password)
        )
    return host


REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 reads with a 5 s socket timeout, exactly channels_redis's 5 s wait
                # for a message: every idle consumer would die with "Timeout reading" and its
                # WebSocket close with 1011 (channels_redis #422; lesson 08 shows it). Wait longer.
                "hosts": [redis_host(REDIS_URL)],
                "prefix": os.environ.get("COURSE_REDIS_PREFIX", "asgi"),
            },
        }
    }
else:
    # Lives inside one process: fine for a notebook and tests, silent across processes.
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_PASSWORD_VALIDATORS = []
# Django's hasher at a tenth of its rounds, so that lesson cells log in at once (config/hashers.py);
# a password stored at the full rounds still checks, and is stored again at these on login.
PASSWORD_HASHERS = ["config.hashers.DemoPBKDF2PasswordHasher"]

LANGUAGE_CODE = "en-us"
# django.setup() sets the process's TZ from this; UTC keeps kernel and daphne in step.
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "chat:index"
LOGOUT_REDIRECT_URL = "chat:index"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DEMO_LOG_LEVEL", "WARNING")},
}
