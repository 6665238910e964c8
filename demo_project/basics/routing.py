"""Routes for the basics consumers; config/asgi.py plugs these lists into its routers."""

from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/echo/sync/", consumers.SyncEchoConsumer.as_asgi()),
    path("ws/echo/async/", consumers.AsyncEchoConsumer.as_asgi()),
]

# HTTP paths a consumer answers itself; everything else falls through to Django's views.
http_urlpatterns = [
    path("sse/ticker/", consumers.TickerConsumer.as_asgi()),
]
