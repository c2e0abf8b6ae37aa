"""What belongs to one person: liked songs, saved albums, followed artists, top lists, recent
plays, and which playlists they have and whether they may read them. These per-user tables are
what keep two users' libraries apart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from library.models.catalog import Album, Artist, Playlist, PlaylistEntry, Track
from library.models.fields import LONG_TEXT


class TimeRange(models.TextChoices):
    SHORT = "short_term", "Last 4 weeks"
    MEDIUM = "medium_term", "Last 6 months"
    LONG = "long_term", "All time"


class UserPlaylist(models.Model):
    """A playlist in someone's list; whether they may read it depends on them, not the playlist."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_playlists"
    )
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="memberships")
    position = models.PositiveIntegerField(default=0)
    is_owner = models.BooleanField(default=False)
    readable = models.BooleanField(default=True)
    unreadable_reason = models.CharField(max_length=LONG_TEXT, blank=True)
    # The snapshot at which this user's access was last established (ownership, a read, a 403):
    # while it matches, neither access nor items need asking Spotify again.
    checked_snapshot_id = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "playlist"], name="library_user_playlist_once")
        ]
        indexes = [models.Index(fields=["user", "position"])]
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.playlist_id}"


class SavedTrack(models.Model):
    """A liked song."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_tracks"
    )
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="saves")
    added_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "track"], name="library_saved_track_once")
        ]
        indexes = [models.Index(fields=["user", "-added_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.track_id}"


class SavedAlbum(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_albums"
    )
    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="saves")
    added_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "album"], name="library_saved_album_once")
        ]
        indexes = [models.Index(fields=["user", "-added_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.album_id}"


class FollowedArtist(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_artists"
    )
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="followers")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "artist"], name="library_followed_artist_once")
        ]
        indexes = [models.Index(fields=["user", "position"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.artist_id}"


class TopArtist(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="top_artists"
    )
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="+")
    time_range = models.CharField(max_length=12, choices=TimeRange.choices)
    rank = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "time_range", "rank"], name="library_top_artist_rank_once"
            )
        ]
        ordering = ["time_range", "rank"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.time_range} #{self.rank}"


class TopTrack(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="top_tracks"
    )
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    time_range = models.CharField(max_length=12, choices=TimeRange.choices)
    rank = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "time_range", "rank"], name="library_top_track_rank_once"
            )
        ]
        ordering = ["time_range", "rank"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.time_range} #{self.rank}"


class RecentPlay(models.Model):
    """Spotify keeps only the last 50 plays; rows accumulate here, so history grows over time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recent_plays"
    )
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    played_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "played_at"], name="library_play_once")
        ]
        indexes = [models.Index(fields=["user", "-played_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.track_id} at {self.played_at:%Y-%m-%d %H:%M}"


def in_library_of(*, user_id: int) -> Q:
    """The condition for a track in someone's library: liked, in a playlist of theirs that
    Spotify lets them read, on a saved album, among their top tracks or recently played.

    The one definition every ownership check uses (browsing, selections, files, matches).
    """
    track, album = models.OuterRef("pk"), models.OuterRef("album_id")
    return (
        Q(models.Exists(SavedTrack.objects.filter(track=track, user_id=user_id)))
        | Q(
            models.Exists(
                PlaylistEntry.objects.filter(
                    track=track,
                    playlist__memberships__user_id=user_id,
                    playlist__memberships__readable=True,
                )
            )
        )
        | Q(models.Exists(SavedAlbum.objects.filter(album=album, user_id=user_id)))
        | Q(models.Exists(TopTrack.objects.filter(track=track, user_id=user_id)))
        | Q(models.Exists(RecentPlay.objects.filter(track=track, user_id=user_id)))
    )
