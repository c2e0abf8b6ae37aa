from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path

from spotifydl import views
from spotifydl.api.mount import api_entry

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    re_path(r"^api/v1/(?P<rest>.*)$", api_entry, name="api"),
    path("", include("library.urls")),
    path("", include("downloads.urls")),
    path("", include("downloads.delivery.urls")),
    path("", include("downloads.matches.urls")),
    path("", include("downloads.sync.urls")),
    path("", include("spotifydl.household.urls")),
    path("", include("spotifydl.api.urls")),
]
