"""Chat pages, mounted at the site root by config/urls.py."""

from django.urls import path, re_path

from . import views

app_name = "chat"

urlpatterns = [
    path("", views.index, name="index"),
    # Same room-name rule as routing.py: a page for a room no socket could join is a 404.
    re_path(r"^chat/(?P<room_name>[A-Za-z0-9_.-]{1,50})/$", views.room, name="room"),
]
