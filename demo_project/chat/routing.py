"""WebSocket routes of the chat app; config/asgi.py plugs them into its URLRouter."""

from django.urls import re_path

from .consumers import ChatConsumer

# Room names use only the characters (and length) a channel-layer group name allows:
# the group is "chat.<room>", and group names must match ^[a-zA-Z\d\-_.]+$, under 100 chars.
websocket_urlpatterns = [
    re_path(r"^ws/chat/(?P<room_name>[A-Za-z0-9_.-]{1,50})/$", ChatConsumer.as_asgi()),
]
