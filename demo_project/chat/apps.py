from django.apps import AppConfig


class ChatConfig(AppConfig):
    """Chat rooms: a WebSocket consumer, its routes, the room pages and stored messages."""

    name = "chat"
    verbose_name = "Chat"
