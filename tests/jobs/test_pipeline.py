"""The real pipeline end to end: the ytmusic source over HTTP to the sandbox's YouTube Music,
yt-dlp's generic extractor on its watch URLs, ffmpeg, mutagen, MUSIC_ROOT."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from downloads import selectors, services
from downloads.models import AudioFormat, DownloadSettings, Job, JobItem
from downloads.pipeline.tag import ReadTags, read_tags
from downloads.tasks import run_chunk
from library.models import Track
from sandbox import Sandbox
from tests.factories import TrackPinFactory
from tests.support.catalog import (
    editorial_tracks,
    has_upload,
    import_playlist,
    import_track,
    tracks_with_one_missing,
)
from tests.support.files import incoming_leftovers
from tests.support.waiting import wait_until
from tests.support.workers import run_task_in_thread

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _download_playlist(sandbox: Sandbox, user: Any, tracks: list[Any]) -> Job:
    playlist = import_playlist(sandbox, user, tracks)
    target = selectors.target_tracks(
        user=user, kind=Job.Kind.PLAYLIST, target_id=playlist.spotify_id
    )
    job = services.job_create(
        owner=user,
        kind=target.kind,
        target_id=target.target_id,
        title=target.title,
        tracks=target.tracks,
        audio_format=AudioFormat.ORIGINAL,
        enqueue=False,
    )
    for chunk in sorted(set(job.items.values_list("chunk", flat=True))):
        run_task_in_thread(run_chunk, job_id=job.pk, chunk=chunk)
    job.refresh_from_db()
    return job


def _assert_downloaded_right(sandbox: Sandbox, job: Job) -> list[Path]:
    """Every item holds the sandbox's right upload, tagged, or is "no match" where none exists."""
    files = []
    items = job.items.select_related("track", "stored_file").order_by("position")
    for item in items:
        expected = sandbox.expected_candidates(item.track.spotify_id)
        if not expected:
            assert item.status == JobItem.Status.NO_MATCH, item.track.name
            continue
        assert item.status == JobItem.Status.DONE, (item.track.name, item.error)
        assert item.stored_file is not None
        path = item.stored_file.absolute_path
        all_ids = [c.id for c in sandbox.media.candidates(item.track.spotify_id)]
        assert sandbox.media.identify(path, all_ids) in expected, item.track.name
        tags = read_tags(path)
        assert tags["title"] == item.track.name
        assert tags["spotify_url"] == f"https://open.spotify.com/track/{item.track.spotify_id}"
        assert tags["isrc"] == item.track.isrc
        assert tags["source_url"] == item.candidate_url
        _assert_tags_follow_the_catalog(tags, item.track)
        files.append(path)
    return files


def _assert_tags_follow_the_catalog(tags: ReadTags, track: Track) -> None:
    """What the worker writes besides identity: credits, numbering, release, advisory."""
    album = track.album
    assert album is not None, track.name
    assert tags["artists"] == tuple(track.artist_names())
    assert (tags["track_number"], tags["track_total"], tags["disc_number"]) == (
        track.track_number,
        album.total_tracks or None,
        track.disc_number,
    )
    assert tags["album"] == album.name
    assert tags["release_date"] == (album.release_date or None)
    assert tags["explicit"] is track.explicit


def _m3u8_paths(job: Job) -> list[Path]:
    folder = Path(settings.MUSIC_ROOT) / "Playlists" / job.owner.get_username()
    playlist = folder / f"{job.title}.m3u8"
    lines = playlist.read_text().splitlines()
    return [(playlist.parent / line).resolve() for line in lines if not line.startswith("#")]


def _no_leftovers() -> list[Path]:
    return incoming_leftovers(Path(settings.MUSIC_ROOT))


def test_a_playlist_with_decoys_is_downloaded_tagged_and_listed_in_order(
    media_sandbox: Sandbox, user: Any
) -> None:
    # Decoys everywhere (covers, live takes, karaoke...), and one track with no upload at all.
    tracks = tracks_with_one_missing(media_sandbox, 10)

    job = _download_playlist(media_sandbox, user, tracks)

    assert (job.status, job.total, job.done, job.no_match) == (Job.Status.PARTIAL, 10, 9, 1)
    files = _assert_downloaded_right(media_sandbox, job)
    assert _m3u8_paths(job) == [f.resolve() for f in files]
    assert _no_leftovers() == []


@pytest.mark.slow
def test_fifty_tracks_go_through_the_pipeline_in_chunks(media_sandbox: Sandbox, user: Any) -> None:
    tracks = editorial_tracks(media_sandbox)[:50]
    missing = sum(not has_upload(media_sandbox, t) for t in tracks)

    job = _download_playlist(media_sandbox, user, tracks)

    assert (job.total, job.no_match, job.done) == (50, missing, 50 - missing)
    chunks = -(-50 // DownloadSettings.load().chunk_size)  # whole waves of a worker's slots
    assert job.items.values("chunk").distinct().count() == chunks > 1
    files = _assert_downloaded_right(media_sandbox, job)
    assert _m3u8_paths(job) == [f.resolve() for f in files]
    assert _no_leftovers() == []


def test_a_track_already_stored_is_not_downloaded_again(media_sandbox: Sandbox, user: Any):
    tracks = [t for t in editorial_tracks(media_sandbox) if has_upload(media_sandbox, t)][:2]
    first = _download_playlist(media_sandbox, user, tracks)
    media_sandbox.reset_counters()

    second = _download_playlist(media_sandbox, user, tracks)

    assert (first.done, second.done, second.status) == (2, 2, Job.Status.COMPLETED)
    assert [i.stored_file_id for i in first.items.all()] == [
        i.stored_file_id for i in second.items.all()
    ]
    assert not any(key.startswith("GET /media") for key in media_sandbox.requests)


def test_downloads_take_the_production_path_through_youtube_music_and_watch_urls(
    media_sandbox: Sandbox, user: Any
) -> None:
    tracks = [t for t in editorial_tracks(media_sandbox) if has_upload(media_sandbox, t)][:3]
    media_sandbox.reset_counters()

    job = _download_playlist(media_sandbox, user, tracks)

    _assert_downloaded_right(media_sandbox, job)
    assert settings.MEDIA_SOURCES == ["ytmusic"]
    for item in job.items.all():
        assert item.candidate_url == media_sandbox.watch_url(item.candidate_id)
    counts = media_sandbox.youtube_request_counts()
    assert counts["search"] >= len(tracks)  # InnerTube searches, read by ytmusicapi
    assert counts["page"] >= len(tracks) and counts["media"] >= len(tracks)  # yt-dlp: probe, body
    assert media_sandbox.requests["GET /"] >= 1  # ytmusicapi's visitor id
    assert not any(key.startswith("GET /media") for key in media_sandbox.requests)


def test_a_pinned_upload_is_downloaded_without_searching(media_sandbox: Sandbox, user: Any):
    track = next(t for t in editorial_tracks(media_sandbox) if has_upload(media_sandbox, t))
    decoy = next(c for c in media_sandbox.media.candidates(track.id) if not c.acceptable)
    catalog_track = import_track(media_sandbox, track)
    TrackPinFactory.create(
        track=catalog_track,
        video_id=decoy.id,
        url=media_sandbox.watch_url(decoy.id),
        pinned_by=user,
    )
    media_sandbox.reset_counters()

    job = _download_playlist(media_sandbox, user, [track])

    item = job.items.get()
    assert (item.status, item.candidate_id, item.match_reason) == (
        "done",
        decoy.id,
        "Pinned by hand",
    )
    assert item.stored_file is not None
    all_ids = [c.id for c in media_sandbox.media.candidates(track.id)]
    assert media_sandbox.media.identify(item.stored_file.absolute_path, all_ids) == decoy.id
    assert not any(key.startswith("POST /youtubei/v1/search") for key in media_sandbox.requests)


def test_settings_no_item_can_work_with_fail_the_job_once_with_the_reason(
    media_sandbox: Sandbox, user: Any, settings: Any
) -> None:
    settings.MEDIA_SOURCES = ["altavista"]
    tracks = [t for t in editorial_tracks(media_sandbox) if has_upload(media_sandbox, t)][:2]

    job = _download_playlist(media_sandbox, user, tracks)

    assert (job.status, job.failed) == (Job.Status.FAILED, 2)
    assert "unknown media source 'altavista'" in job.error


def _two_tracks_in_one_slot(sandbox: Sandbox) -> list[Any]:
    """Two tracks with uploads, and a concurrency of one: both go through the same slot."""
    config = DownloadSettings.load()
    config.concurrency = 1
    config.save()
    return [t for t in editorial_tracks(sandbox) if has_upload(sandbox, t)][:2]


def test_a_slot_starts_its_next_download_while_the_last_item_is_still_tagged(
    media_sandbox: Sandbox, user: Any, monkeypatch: Any
) -> None:
    tracks = _two_tracks_in_one_slot(media_sandbox)
    from downloads.pipeline.tag import write_tags as real_write_tags
    from downloads.worker import item as item_module

    seen_during_first_tagging: list[int] = []
    first = iter([True])  # taken by one call only, however the slot's threads interleave

    def write_tags_once_the_next_is_fetched(*args: Any, **kwargs: Any) -> None:
        if next(first, False):
            # One slot: the second track's media can only come while this one is tagged.
            wait_until(lambda: media_sandbox.youtube_request_counts()["media"] == 2, step=0.02)
            seen_during_first_tagging.append(media_sandbox.youtube_request_counts()["media"])
        real_write_tags(*args, **kwargs)

    monkeypatch.setattr(item_module, "write_tags", write_tags_once_the_next_is_fetched)

    job = _download_playlist(media_sandbox, user, tracks)

    assert seen_during_first_tagging == [2]
    assert job.items.filter(status=JobItem.Status.DONE).count() == 2


def test_a_slot_searches_and_reads_the_next_page_before_the_current_media_comes(
    media_sandbox: Sandbox, user: Any, monkeypatch: Any
) -> None:
    tracks = _two_tracks_in_one_slot(media_sandbox)
    from downloads.pipeline.fetch.stage import fetch as real_fetch
    from downloads.worker import item as item_module

    seen_before_the_first_media: list[dict[str, int]] = []
    first = iter([True])  # taken by one call only, however the slot's threads interleave

    def fetch_once_the_next_page_is_read(*args: Any, **kwargs: Any) -> Any:
        if next(first, False):
            # One slot: the second track is matched and its page read, no media asked yet.
            pages = media_sandbox.youtube_request_counts()["page"]
            wait_until(
                lambda: media_sandbox.youtube_request_counts()["page"] == pages + 1, step=0.02
            )
            seen_before_the_first_media.append(media_sandbox.youtube_request_counts())
        return real_fetch(*args, **kwargs)

    monkeypatch.setattr(item_module, "fetch", fetch_once_the_next_page_is_read)

    job = _download_playlist(media_sandbox, user, tracks)

    assert seen_before_the_first_media[0]["media"] == 0
    assert job.items.filter(status=JobItem.Status.DONE).count() == 2
    assert media_sandbox.youtube_request_counts()["media"] == 2
