"""HTTP API of the basics app, mounted at api/ by config/urls.py."""

from django.urls import path

from . import views

app_name = "basics"

urlpatterns = [
    path("v1/data", views.data, name="data"),
]
