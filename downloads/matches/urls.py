"""Include with `path("", include("downloads.matches.urls"))` in the project's urls."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from downloads.matches import views

app_name = "matches"
urlpatterns: list[URLPattern | URLResolver] = [
    path("downloads/items/<int:pk>/match/", views.item_match, name="item"),
    path("downloads/tracks/<str:spotify_id>/match/", views.track_match, name="track"),
    path("downloads/tracks/<str:spotify_id>/match/pin/", views.track_pin, name="pin"),
    path("downloads/tracks/<str:spotify_id>/match/unpin/", views.track_unpin, name="unpin"),
]
