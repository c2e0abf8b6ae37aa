from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from library.views import auth, browse, live, refresh

app_name = "library"
urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", auth.login, name="login"),
    # Must match SPOTIFY_REDIRECT_URI (and the Redirect URI registered with Spotify).
    path("callback/", auth.callback, name="callback"),
    path("logout/", auth.logout_view, name="logout"),
    path("library/", browse.library_index, name="index"),
    path("library/refresh/", refresh.refresh_start, name="refresh"),
    path("library/refresh/status/", refresh.refresh_status, name="refresh_status"),
    path("library/search/", browse.search, name="search"),
    path("library/liked/", browse.liked_tracks, name="liked"),
    path("library/playlists/", browse.playlist_list, name="playlists"),
    path("library/playlists/<str:spotify_id>/", browse.playlist_detail, name="playlist"),
    path("library/albums/", browse.album_list, name="albums"),
    path("library/albums/<str:spotify_id>/", browse.album_detail, name="album"),
    path("library/albums/<str:spotify_id>/download/", live.album_download, name="album_download"),
    path("library/artists/", browse.artist_list, name="artists"),
    path("library/artists/<str:spotify_id>/", live.artist_detail, name="artist"),
    path("library/top/tracks/", browse.top_tracks, name="top_tracks"),
    path("library/top/artists/", browse.top_artists, name="top_artists"),
    path("library/recent/", browse.recent_tracks, name="recent"),
]
