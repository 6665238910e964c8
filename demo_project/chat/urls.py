"""Chat pages, mounted at the site root by config/urls.py."""

from django.urls import path, re_path

from . import views
from .consumers import ROOM_NAME

app_name = "chat"

urlpatterns = [
    path("", views.index, name="index"),
    # Same room-name rule as routing.py: a page for a room no socket could join is a 404.
    re_path(rf"^chat/(?P<room_name>{ROOM_NAME})/$", views.room, name="room"),
]
