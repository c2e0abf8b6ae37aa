from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from library import views

app_name = "library"
urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", views.login, name="login"),
    # Must match SPOTIFY_REDIRECT_URI (and the Redirect URI registered with Spotify).
    path("callback/", views.callback, name="callback"),
    path("logout/", views.logout_view, name="logout"),
    path("library/", views.library_index, name="index"),
    path("library/refresh/", views.refresh_start, name="refresh"),
    path("library/refresh/status/", views.refresh_status, name="refresh_status"),
    path("library/search/", views.search, name="search"),
    path("library/liked/", views.liked_tracks, name="liked"),
    path("library/playlists/", views.playlist_list, name="playlists"),
    path("library/playlists/<str:spotify_id>/", views.playlist_detail, name="playlist"),
    path("library/albums/", views.album_list, name="albums"),
    path("library/albums/<str:spotify_id>/", views.album_detail, name="album"),
    path("library/albums/<str:spotify_id>/download/", views.album_download, name="album_download"),
    path("library/artists/", views.artist_list, name="artists"),
    path("library/artists/<str:spotify_id>/", views.artist_detail, name="artist"),
    path("library/top/tracks/", views.top_tracks, name="top_tracks"),
    path("library/top/artists/", views.top_artists, name="top_artists"),
    path("library/recent/", views.recent_tracks, name="recent"),
]
