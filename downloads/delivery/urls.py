"""Include with `path("", include("downloads.delivery.urls"))` in the project's urls."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from downloads.delivery import views

app_name = "delivery"
urlpatterns: list[URLPattern | URLResolver] = [
    path("files/<int:pk>/", views.file_download, name="file"),
    path("files/<int:pk>/stream/", views.file_stream, name="stream"),
    path("files/<int:pk>/lyrics.lrc", views.file_lyrics, name="lyrics"),
    path("zip/jobs/<int:target>/", views.collection_zip, {"kind": "job"}, name="job_zip"),
    path(
        "zip/playlists/<str:target>/",
        views.collection_zip,
        {"kind": "playlist"},
        name="playlist_zip",
    ),
    path("zip/albums/<str:target>/", views.collection_zip, {"kind": "album"}, name="album_zip"),
    path("zip/liked/", views.collection_zip, {"kind": "liked"}, name="liked_zip"),
    path("zip/selection/", views.selection_zip, name="selection_zip"),
    path("play/jobs/<int:target>/", views.player, {"kind": "job"}, name="job_player"),
    path(
        "play/playlists/<str:target>/", views.player, {"kind": "playlist"}, name="playlist_player"
    ),
    path("play/albums/<str:target>/", views.player, {"kind": "album"}, name="album_player"),
    path("play/liked/", views.player, {"kind": "liked"}, name="liked_player"),
]
