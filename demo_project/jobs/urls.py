"""The demo's URLs, plus the two notify views (``config/settings_jobs.py`` uses this)."""

from django.urls import include, path

from jobs import views

urlpatterns = [
    path("jobs/notify/<slug:owner>/", views.notify),
    path("jobs/notify-unawaited/<slug:owner>/", views.notify_unawaited),
    path("", include("config.urls")),
]
