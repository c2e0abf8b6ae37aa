"""The shared catalog: artists, albums, tracks, playlists and their entries.

Catalog rows are shared by every user: a track liked by two people is one row.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import models
from django.db.models import Prefetch

from library.models.fields import LONG_TEXT, SPOTIFY_ID, URL


class Artist(models.Model):
    spotify_id = models.CharField(max_length=SPOTIFY_ID, unique=True)
    name = models.CharField(max_length=LONG_TEXT)
    image_url = models.URLField(max_length=URL, blank=True)

    def __str__(self) -> str:
        return self.name


class Album(models.Model):
    spotify_id = models.CharField(max_length=SPOTIFY_ID, unique=True)
    name = models.CharField(max_length=LONG_TEXT)
    album_type = models.CharField(max_length=20, blank=True)
    # Spotify gives "2024", "2024-05" or "2024-05-17" depending on the precision.
    release_date = models.CharField(max_length=10, blank=True)
    release_date_precision = models.CharField(max_length=5, blank=True)
    total_tracks = models.PositiveIntegerField(default=0)
    cover_url = models.URLField(max_length=URL, blank=True)
    cover_url_small = models.URLField(max_length=URL, blank=True)
    upc = models.CharField(max_length=20, blank=True)
    artists = models.ManyToManyField(Artist, through="AlbumArtist", related_name="albums")

    def __str__(self) -> str:
        return self.name

    @property
    def year(self) -> str:
        return self.release_date[:4]

    def artist_names(self) -> list[str]:
        """Names in credit order; uses `credits` when a read prefetched them."""
        credits = getattr(self, "credits", None)
        if credits is None:
            credits = self.albumartist_set.select_related("artist").order_by("position")
        return [credit.artist.name for credit in credits]


class AlbumArtist(models.Model):
    album = models.ForeignKey(Album, on_delete=models.CASCADE)
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["album", "artist"], name="library_album_artist_once")
        ]
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.artist_id} on {self.album_id}"


class Track(models.Model):
    spotify_id = models.CharField(max_length=SPOTIFY_ID, unique=True)
    name = models.CharField(max_length=LONG_TEXT)
    album = models.ForeignKey(
        Album, null=True, blank=True, on_delete=models.SET_NULL, related_name="tracks"
    )
    artists = models.ManyToManyField(Artist, through="TrackArtist", related_name="tracks")
    # Empty until the track is seen outside an album track list (those carry no ISRC).
    isrc = models.CharField(max_length=12, blank=True, db_index=True)
    duration_ms = models.PositiveIntegerField(default=0)
    explicit = models.BooleanField(default=False)
    disc_number = models.PositiveSmallIntegerField(default=1)
    track_number = models.PositiveSmallIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["album", "disc_number", "track_number"])]

    def __str__(self) -> str:
        return self.name

    @property
    def cover_url(self) -> str:
        return self.album.cover_url if self.album else ""

    def artist_names(self) -> list[str]:
        """Names in credit order; uses `artist_links` when a read prefetched them."""
        links = getattr(self, "artist_links", None)
        if links is None:
            links = self.trackartist_set.select_related("artist").order_by("position")
        return [link.artist.name for link in links]

    @property
    def duration(self) -> timedelta:
        return timedelta(milliseconds=self.duration_ms)


class TrackArtist(models.Model):
    track = models.ForeignKey(Track, on_delete=models.CASCADE)
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["track", "artist"], name="library_track_artist_once")
        ]
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.artist_id} on {self.track_id}"


class Playlist(models.Model):
    spotify_id = models.CharField(max_length=SPOTIFY_ID, unique=True)
    name = models.CharField(max_length=LONG_TEXT)
    description = models.TextField(blank=True)
    owner_spotify_id = models.CharField(max_length=SPOTIFY_ID * 2)
    owner_name = models.CharField(max_length=LONG_TEXT, blank=True)
    collaborative = models.BooleanField(default=False)
    public = models.BooleanField(null=True)
    image_url = models.URLField(max_length=URL, blank=True)
    # The latest snapshot seen in someone's playlist list...
    snapshot_id = models.CharField(max_length=200, blank=True)
    items_total = models.PositiveIntegerField(default=0)
    # ...and the snapshot the stored entries belong to. Equal means nothing to fetch.
    items_snapshot_id = models.CharField(max_length=200, blank=True)
    items_read_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name

    @property
    def entries_current(self) -> bool:
        return bool(self.items_snapshot_id) and self.items_snapshot_id == self.snapshot_id


class PlaylistEntry(models.Model):
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="entries")
    # The entry's index in Spotify's list; gaps are entries skipped (local files, episodes).
    position = models.PositiveIntegerField()
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="playlist_entries")
    added_at = models.DateTimeField(null=True, blank=True)
    added_by = models.CharField(max_length=SPOTIFY_ID * 2, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["playlist", "position"], name="library_playlist_position_once"
            )
        ]
        ordering = ["playlist", "position"]

    def __str__(self) -> str:
        return f"{self.playlist_id}#{self.position}"


def artist_links_prefetch(prefix: str = "") -> Prefetch[Any]:
    """Each track's artists in credit order, as `track.artist_links` (TrackArtist rows).

    `prefix` reaches the track through a relation, e.g. "track__" from a PlaylistEntry.
    """
    links = TrackArtist.objects.select_related("artist").order_by("position")
    return Prefetch(f"{prefix}trackartist_set", queryset=links, to_attr="artist_links")


def album_credits_prefetch(prefix: str = "") -> Prefetch[Any]:
    """Each album's artists in credit order, as `album.credits` (AlbumArtist rows).

    `prefix` reaches the album through a relation, e.g. "album__" from a SavedAlbum.
    """
    credits = AlbumArtist.objects.select_related("artist").order_by("position")
    return Prefetch(f"{prefix}albumartist_set", queryset=credits, to_attr="credits")
