from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from spotifydl import views
from spotifydl.api.main import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("library.urls")),
    path("", include("downloads.urls")),
    path("", include("downloads.delivery.urls")),
    path("", include("downloads.matches.urls")),
    path("", include("downloads.sync.urls")),
    path("", include("spotifydl.household.urls")),
    path("", include("spotifydl.api.urls")),
]
