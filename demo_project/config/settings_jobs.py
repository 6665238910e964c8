"""The demo's settings with lesson 10's worker application and the notify views.

daphne serves ``jobs.asgi:application`` with them, and ``manage.py runworker wordcount``
reads ``ASGI_APPLICATION`` to find the worker's consumer. With REDIS_URL set (see
config/settings.py), the browser's daphne, the worker and the notebook share one layer.
"""

from config.settings import *  # noqa: F403

ASGI_APPLICATION = "jobs.asgi.application"
ROOT_URLCONF = "jobs.urls"

# Django's "django" logger prints to the console itself when DEBUG is on, and the record
# also propagates to the root's handler: one line twice. Here it only propagates, so
# runworker's "Running worker for channels [...]" appears once, whatever DEBUG says.
LOGGING = {
    **LOGGING,  # noqa: F405
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}
