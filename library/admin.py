"""Admin for every library model. Tokens are never shown: the blob is excluded everywhere."""

from __future__ import annotations

from django.contrib import admin

from library import models as m


@admin.register(m.SpotifyAccount)
class SpotifyAccountAdmin(admin.ModelAdmin[m.SpotifyAccount]):
    list_display = ["display_name", "spotify_id", "user", "needs_reauth", "tokens_refreshed_at"]
    list_filter = ["needs_reauth"]
    search_fields = ["display_name", "spotify_id", "account_id", "user__username"]
    exclude = ["token_blob"]
    readonly_fields = [
        "user",
        "account_key",
        "spotify_id",
        "account_id",
        "scopes",
        "token_expires_at",
        "tokens_refreshed_at",
        "signed_in_at",
        "created_at",
    ]


@admin.register(m.Artist)
class ArtistAdmin(admin.ModelAdmin[m.Artist]):
    list_display = ["name", "spotify_id"]
    search_fields = ["name", "spotify_id"]


@admin.register(m.Album)
class AlbumAdmin(admin.ModelAdmin[m.Album]):
    list_display = ["name", "album_type", "release_date", "total_tracks", "spotify_id"]
    list_filter = ["album_type"]
    search_fields = ["name", "spotify_id", "upc"]


@admin.register(m.Track)
class TrackAdmin(admin.ModelAdmin[m.Track]):
    list_display = ["name", "album", "isrc", "duration_ms", "explicit", "spotify_id"]
    list_filter = ["explicit"]
    search_fields = ["name", "spotify_id", "isrc"]
    list_select_related = ["album"]
    raw_id_fields = ["album"]


@admin.register(m.Playlist)
class PlaylistAdmin(admin.ModelAdmin[m.Playlist]):
    list_display = ["name", "owner_name", "collaborative", "items_total", "snapshot_id"]
    list_filter = ["collaborative", "public"]
    search_fields = ["name", "spotify_id", "owner_spotify_id", "owner_name"]


@admin.register(m.PlaylistEntry)
class PlaylistEntryAdmin(admin.ModelAdmin[m.PlaylistEntry]):
    list_display = ["playlist", "position", "track", "added_at"]
    raw_id_fields = ["playlist", "track"]
    list_select_related = ["playlist", "track"]


@admin.register(m.UserPlaylist)
class UserPlaylistAdmin(admin.ModelAdmin[m.UserPlaylist]):
    list_display = ["user", "playlist", "position", "is_owner", "readable"]
    list_filter = ["readable", "is_owner"]
    raw_id_fields = ["user", "playlist"]


@admin.register(m.SavedTrack)
class SavedTrackAdmin(admin.ModelAdmin[m.SavedTrack]):
    list_display = ["user", "track", "added_at"]
    raw_id_fields = ["user", "track"]


@admin.register(m.SavedAlbum)
class SavedAlbumAdmin(admin.ModelAdmin[m.SavedAlbum]):
    list_display = ["user", "album", "added_at"]
    raw_id_fields = ["user", "album"]


@admin.register(m.FollowedArtist)
class FollowedArtistAdmin(admin.ModelAdmin[m.FollowedArtist]):
    list_display = ["user", "artist", "position"]
    raw_id_fields = ["user", "artist"]


@admin.register(m.TopArtist)
class TopArtistAdmin(admin.ModelAdmin[m.TopArtist]):
    list_display = ["user", "time_range", "rank", "artist"]
    list_filter = ["time_range"]
    raw_id_fields = ["user", "artist"]


@admin.register(m.TopTrack)
class TopTrackAdmin(admin.ModelAdmin[m.TopTrack]):
    list_display = ["user", "time_range", "rank", "track"]
    list_filter = ["time_range"]
    raw_id_fields = ["user", "track"]


@admin.register(m.RecentPlay)
class RecentPlayAdmin(admin.ModelAdmin[m.RecentPlay]):
    list_display = ["user", "track", "played_at"]
    raw_id_fields = ["user", "track"]


@admin.register(m.LibraryRefresh)
class LibraryRefreshAdmin(admin.ModelAdmin[m.LibraryRefresh]):
    list_display = [
        "user",
        "status",
        "created_at",
        "finished_at",
        "requests_made",
        "duration",
        "resumes_at",
    ]
    list_filter = ["status"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "updated_at"]
