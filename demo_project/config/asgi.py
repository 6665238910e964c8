"""
ASGI config for the demo project.

It exposes the ASGI callable as a module-level variable named ``application``.
Serve it with ``daphne config.asgi:application`` (the toolkit does this for you).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Build the Django ASGI app first: it calls django.setup(), which populates the app
# registry. Only then may we import consumers and routing, because they import models;
# importing them above this line raises AppRegistryNotReady.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import re_path  # noqa: E402

import basics.routing  # noqa: E402
import chat.routing  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Plain HTTP goes to Django's views, except the few paths a consumer streams.
        "http": URLRouter([*basics.routing.http_urlpatterns, re_path(r"", django_asgi_app)]),
        # WebSockets: check Origin against ALLOWED_HOSTS, load the user from the session
        # cookie, then dispatch on the path.
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(
                URLRouter(chat.routing.websocket_urlpatterns + basics.routing.websocket_urlpatterns)
            )
        ),
    }
)
