"""
The demo's ASGI application with workers: ``config/settings_jobs.py`` names it in
``ASGI_APPLICATION``, so daphne serves it and ``manage.py runworker`` runs its
``"channel"`` part.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_jobs")

# As in config/asgi.py: set Django up before importing anything that imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ChannelNameRouter, ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from jobs.consumers import JOBS_CHANNEL, JobsConsumer  # noqa: E402
from jobs.workers import WordCountWorker  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            URLRouter([path("ws/jobs/<slug:owner>/", JobsConsumer.as_asgi())])
        ),
        # Worker scopes: runworker sends {"type": "channel", "channel": <name>} here,
        # and the channel's name picks the consumer.
        "channel": ChannelNameRouter({JOBS_CHANNEL: WordCountWorker.as_asgi()}),
    }
)
