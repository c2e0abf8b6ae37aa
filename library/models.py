"""The Spotify side of the data: accounts and tokens, the shared catalog, per-user libraries.

Catalog rows (Artist, Album, Track, Playlist, PlaylistEntry) are shared by every user: a track
liked by two people is one row. What belongs to one person (liked songs, saved albums, followed
artists, top lists, recent plays, which playlists they have and whether they may read them) lives
in the per-user tables, which is what keeps two users' libraries apart.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from library.crypto import UnreadableSecret, decrypt_json, encrypt_json
from library.tokens import TokenSet

SPOTIFY_ID = 64
LONG_TEXT = 1000
URL = 1000


class SpotifyAccount(models.Model):
    """One Spotify account, tied to exactly one Django user; tokens encrypted at rest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="spotify_account"
    )
    # Spotify's stable `account_id`, or the user `id` where an answer lacks it.
    account_key = models.CharField(max_length=SPOTIFY_ID * 2, unique=True)
    spotify_id = models.CharField(max_length=SPOTIFY_ID * 2, db_index=True)
    account_id = models.CharField(max_length=SPOTIFY_ID * 2, blank=True)
    display_name = models.CharField(max_length=LONG_TEXT, blank=True)
    image_url = models.URLField(max_length=URL, blank=True)
    # Fernet ciphertext of spotipy's token_info; never shown anywhere (not in admin either).
    token_blob = models.TextField(blank=True, editable=False)
    scopes = models.CharField(max_length=LONG_TEXT, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    tokens_refreshed_at = models.DateTimeField(null=True, blank=True)
    signed_in_at = models.DateTimeField(default=timezone.now)
    needs_reauth = models.BooleanField(default=False)
    reauth_reason = models.CharField(max_length=LONG_TEXT, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    TOKEN_FIELDS: ClassVar[list[str]] = [
        "token_blob",
        "scopes",
        "token_expires_at",
        "tokens_refreshed_at",
        "needs_reauth",
        "reauth_reason",
    ]

    def __str__(self) -> str:
        return self.display_name or self.spotify_id

    def tokens(self) -> TokenSet | None:
        """The stored tokens, or None when there are none or they cannot be decrypted."""
        if not self.token_blob:
            return None
        try:
            return TokenSet.from_info(decrypt_json(self.token_blob))
        except (UnreadableSecret, KeyError, ValueError):
            return None

    def set_tokens(self, tokens: TokenSet) -> None:
        self.token_blob = encrypt_json(tokens.to_info())
        self.scopes = tokens.scope
        self.token_expires_at = datetime.fromtimestamp(tokens.expires_at, tz=UTC)
        self.tokens_refreshed_at = timezone.now()
        self.needs_reauth = False
        self.reauth_reason = ""

    def require_reauth(self, reason: str) -> None:
        """Spotify refused the refresh token: forget the tokens, ask the person to sign in."""
        self.token_blob = ""
        self.token_expires_at = None
        self.needs_reauth = True
        self.reauth_reason = reason[:LONG_TEXT]


# --- catalog -----------------------------------------------------------------------------------


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

    @staticmethod
    def in_library_of(user_id: int) -> Q:
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


# --- per-user library --------------------------------------------------------------------------


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


# --- refresh runs ------------------------------------------------------------------------------


class LibraryRefresh(models.Model):
    """One reading of a user's library: its state, progress and what it cost."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Reading your library"
        PAUSED = "paused", "Paused by Spotify's request limit"
        SUCCEEDED = "succeeded", "Up to date"
        FAILED = "failed", "Failed"

    ACTIVE: ClassVar[tuple[str, ...]] = (Status.QUEUED, Status.RUNNING, Status.PAUSED)
    # A running refresh whose row has not moved for this long died with its worker (a running
    # one writes a heartbeat every few seconds); a waiting one this old lost its task.
    STALE_AFTER = timedelta(minutes=15)
    STALE_QUEUED_AFTER = timedelta(hours=6)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_refreshes"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    steps_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    requests_made = models.PositiveIntegerField(default=0)
    duration = models.DurationField(null=True, blank=True)
    error = models.TextField(blank=True)
    resumes_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # At most one refresh per user waits, runs or is paused at a time.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["queued", "running", "paused"]),
                name="library_one_active_refresh_per_user",
            )
        ]
        indexes = [models.Index(fields=["user", "-created_at"])]
        get_latest_by = "created_at"
        verbose_name_plural = "library refreshes"

    def __str__(self) -> str:
        return f"Refresh {self.pk} of user {self.user_id}: {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.steps_total:
            return 0
        return min(99, round(100 * self.steps_done / self.steps_total))

    def is_stale(self, *, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.status == self.Status.RUNNING:
            return now - self.updated_at > self.STALE_AFTER
        if self.status == self.Status.QUEUED:
            return now - self.created_at > self.STALE_QUEUED_AFTER
        return False

    def start(self) -> None:
        self.status = self.Status.RUNNING
        # Per run: a refresh resumed after a quota pause measures only its own work.
        self.started_at = timezone.now()
        self.resumes_at = None
        self.error = ""

    def finish(self, *, status: str, error: str = "", resumes_at: datetime | None = None) -> None:
        """Move to a final state (or to paused, which ends this run until `resumes_at`)."""
        if status not in (self.Status.SUCCEEDED, self.Status.FAILED, self.Status.PAUSED):
            raise ValueError(f"{status!r} does not end a refresh")
        if (status == self.Status.PAUSED) != (resumes_at is not None):
            raise ValueError("a paused refresh needs a resume time, and only it")
        self.status = status
        self.error = error
        self.resumes_at = resumes_at
        if status != self.Status.PAUSED:
            self.finished_at = timezone.now()
        if self.started_at is not None:
            self.duration = timezone.now() - self.started_at
