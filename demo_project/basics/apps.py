from django.apps import AppConfig


class BasicsConfig(AppConfig):
    """The first lessons' building blocks: raw ASGI, echo consumers, SSE, the seed request."""

    name = "basics"
    verbose_name = "ASGI basics"
