"""The board's pages, under the service's prefix (the hub's proxy keeps it in the path)."""

from django.conf import settings
from django.urls import path

from hub.board import views

ROOT = settings.PREFIX.lstrip("/")

urlpatterns = [
    path(ROOT, views.page),
    path(f"{ROOT}oauth_callback", views.oauth_callback),
    path(f"{ROOT}results.csv", views.results_csv),
    path(f"{ROOT}api/results", views.report),
]
