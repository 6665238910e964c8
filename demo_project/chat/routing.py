"""WebSocket routes of the chat app; config/asgi.py plugs them into its URLRouter."""

from django.urls import re_path

from .consumers import ROOM_NAME, ChatConsumer

websocket_urlpatterns = [
    # ROOM_NAME: the characters a channel-layer group name allows (see consumers.py).
    re_path(rf"^ws/chat/(?P<room_name>{ROOM_NAME})/$", ChatConsumer.as_asgi()),
]
