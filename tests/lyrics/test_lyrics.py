"""Lyrics end to end: the real pipeline, the sandbox's YouTube and its LRCLIB over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from downloads import selectors, services
from downloads.models import AudioFormat, Job, JobItem, LyricsMode, Preferences, StoredFile
from downloads.pipeline.fetch.stage import fetch
from downloads.pipeline.lyrics import lrc_path, lrc_remove_beside
from downloads.pipeline.lyrics_tags import embedded, parse_lrc
from downloads.tasks import run_chunk
from downloads.worker import item as item_module
from downloads.worker.alongside import Alongside
from sandbox import Sandbox
from tests.support.catalog import editorial_tracks, has_upload, import_playlist
from tests.support.waiting import wait_until
from tests.support.workers import run_task_in_thread

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _tracks(sandbox: Sandbox, count: int) -> list[Any]:
    return [t for t in editorial_tracks(sandbox) if has_upload(sandbox, t)][:count]


def _download(sandbox: Sandbox, user: Any, tracks: list[Any], audio_format: str) -> Job:
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
        audio_format=audio_format,
        enqueue=False,
    )
    for chunk in sorted(set(job.items.values_list("chunk", flat=True))):
        run_task_in_thread(run_chunk, job_id=job.pk, chunk=chunk)
    job.refresh_from_db()
    return job


def _stored(job: Job) -> list[StoredFile]:
    items = job.items.select_related("stored_file", "track").order_by("position")
    assert all(i.status == JobItem.Status.DONE for i in items), [i.error for i in items]
    return [i.stored_file for i in items if i.stored_file is not None]


def _fetch_after(
    monkeypatch: pytest.MonkeyPatch,
    condition: Callable[[], object],
    *,
    timeout: float = 60,
    then: Callable[[], object] = lambda: None,
) -> None:
    """The worker's fetch stage waits until `condition()` holds, runs `then`, and fetches for
    real: what the pipeline asks alongside the download can be seen before the media is."""

    def fetch_after_condition(*args: Any, **kwargs: Any) -> Any:
        wait_until(condition, timeout=timeout, step=0.02)
        then()
        return fetch(*args, **kwargs)

    monkeypatch.setattr(item_module, "fetch", fetch_after_condition)


@pytest.mark.parametrize("audio_format", [AudioFormat.MP3, AudioFormat.M4A, AudioFormat.OPUS])
def test_synced_lyrics_are_written_beside_and_embedded_in_each_container(
    lyrics_sandbox: Sandbox, user: Any, audio_format: str
) -> None:
    track = _tracks(lyrics_sandbox, 1)[0]
    lyrics_sandbox.set_lyrics_kind(track.id, "synced")
    record = lyrics_sandbox.lyrics_record(track.id)
    assert record is not None

    (stored,) = _stored(_download(lyrics_sandbox, user, [track], audio_format))

    assert stored.lyrics == "synced"
    lrc = lrc_path(stored.absolute_path)
    assert parse_lrc(lrc.read_text()) == parse_lrc(record["syncedLyrics"])
    found = embedded(stored.absolute_path)
    if audio_format == AudioFormat.MP3:
        assert found["plain"] == record["plainLyrics"]
        assert [words for _, words in found["synced"]] == record["plainLyrics"].splitlines()
        assert found["synced"][0][0] == 500
    else:
        assert parse_lrc(found["plain"]) == parse_lrc(record["syncedLyrics"])
    assert lyrics_sandbox.lrclib.requests["GET /api/get"] == 1


def test_cover_and_lyrics_are_asked_while_the_media_downloads(
    lyrics_sandbox: Sandbox, user: Any, settings: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    settings.DATA_DIR = tmp_path / "data"  # an empty cover cache: the cover must be asked
    track = _tracks(lyrics_sandbox, 1)[0]
    lyrics_sandbox.set_lyrics_kind(track.id, "synced")
    seen_before_media: list[bool] = []

    # The download waits for both answers: asked one after the other, they never come.
    def both_asked() -> bool:
        return (
            lyrics_sandbox.lrclib.requests["GET /api/get"] == 1
            and lyrics_sandbox.requests["GET /image/{name}"] == 1
        )

    def note_media_asked() -> None:
        seen_before_media.append(lyrics_sandbox.youtube_request_counts()["media"] == 0)

    _fetch_after(monkeypatch, both_asked, timeout=20, then=note_media_asked)

    (stored,) = _stored(_download(lyrics_sandbox, user, [track], AudioFormat.OPUS))

    assert seen_before_media == [True]
    assert stored.lyrics == "synced"
    assert embedded(stored.absolute_path)["plain"]


def test_lyrics_in_before_tagging_go_into_the_one_tag_write(
    lyrics_sandbox: Sandbox, user: Any, monkeypatch: Any
) -> None:
    track = _tracks(lyrics_sandbox, 1)[0]
    lyrics_sandbox.set_lyrics_kind(track.id, "synced")
    from downloads.pipeline import lyrics_tags

    def no_second_write(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the stored file was rewritten for its lyrics")

    _fetch_after(monkeypatch, lambda: lyrics_sandbox.lrclib.requests["GET /api/get"] == 1)
    monkeypatch.setattr(lyrics_tags, "embed", no_second_write)

    (stored,) = _stored(_download(lyrics_sandbox, user, [track], AudioFormat.MP3))

    assert stored.lyrics == "synced"
    assert lrc_path(stored.absolute_path).exists()
    assert embedded(stored.absolute_path)["synced"]


def test_lyrics_answered_after_tagging_are_written_into_the_stored_file(
    lyrics_sandbox: Sandbox, user: Any, monkeypatch: Any
) -> None:
    track = _tracks(lyrics_sandbox, 1)[0]
    lyrics_sandbox.set_lyrics_kind(track.id, "plain")
    monkeypatch.setattr(Alongside, "lyrics_in", lambda self: False)

    (stored,) = _stored(_download(lyrics_sandbox, user, [track], AudioFormat.OPUS))

    assert stored.lyrics == "plain"
    assert embedded(stored.absolute_path)["plain"]


def test_plain_only_lyrics_are_embedded_without_an_lrc_file(
    lyrics_sandbox: Sandbox, user: Any
) -> None:
    track = _tracks(lyrics_sandbox, 1)[0]
    lyrics_sandbox.set_lyrics_kind(track.id, "plain")
    record = lyrics_sandbox.lyrics_record(track.id)
    assert record is not None

    (stored,) = _stored(_download(lyrics_sandbox, user, [track], AudioFormat.MP3))

    assert stored.lyrics == "plain"
    assert not lrc_path(stored.absolute_path).exists()
    assert embedded(stored.absolute_path) == {"plain": record["plainLyrics"], "synced": None}


@pytest.mark.parametrize("kind", ["none", "instrumental", "wrong_duration"])
def test_no_lyrics_or_a_wrong_length_songs_leave_the_file_without_lyrics(
    lyrics_sandbox: Sandbox, user: Any, kind: str
) -> None:
    track = _tracks(lyrics_sandbox, 1)[0]
    lyrics_sandbox.set_lyrics_kind(track.id, kind)

    (stored,) = _stored(_download(lyrics_sandbox, user, [track], AudioFormat.MP3))

    assert stored.lyrics == "none"
    assert not lrc_path(stored.absolute_path).exists()
    assert embedded(stored.absolute_path) == {"plain": None, "synced": None}
    assert lyrics_sandbox.lrclib.requests["GET /api/get"] == 1


def test_lrclib_failing_leaves_the_track_done_with_lyrics_failed(
    lyrics_sandbox: Sandbox, user: Any
) -> None:
    track = _tracks(lyrics_sandbox, 1)[0]
    lyrics_sandbox.lyrics_knobs.error_rate = 1.0

    (stored,) = _stored(_download(lyrics_sandbox, user, [track], AudioFormat.OPUS))

    assert stored.lyrics == "failed"
    assert lyrics_sandbox.lrclib.requests["GET /api/get"] == 3


def test_a_passing_5xx_is_retried(lyrics_sandbox: Sandbox, user: Any) -> None:
    track = _tracks(lyrics_sandbox, 1)[0]
    lyrics_sandbox.set_lyrics_kind(track.id, "synced")
    lyrics_sandbox.lyrics_knobs.fail_next(1, "503")

    (stored,) = _stored(_download(lyrics_sandbox, user, [track], AudioFormat.OPUS))

    assert stored.lyrics == "synced"
    assert lyrics_sandbox.lrclib.requests["GET /api/get"] == 2


def test_plain_choice_embeds_plain_lyrics_and_writes_no_lrc(
    lyrics_sandbox: Sandbox, user: Any
) -> None:
    Preferences.objects.create(user=user, lyrics=LyricsMode.PLAIN)
    track = _tracks(lyrics_sandbox, 1)[0]
    lyrics_sandbox.set_lyrics_kind(track.id, "synced")

    (stored,) = _stored(_download(lyrics_sandbox, user, [track], AudioFormat.MP3))

    assert stored.lyrics == "plain"
    assert not lrc_path(stored.absolute_path).exists()
    assert embedded(stored.absolute_path)["synced"] is None


def test_lyrics_off_asks_lrclib_nothing(lyrics_sandbox: Sandbox, user: Any) -> None:
    Preferences.objects.create(user=user, lyrics=LyricsMode.OFF)
    track = _tracks(lyrics_sandbox, 1)[0]

    (stored,) = _stored(_download(lyrics_sandbox, user, [track], AudioFormat.OPUS))

    assert stored.lyrics == ""
    assert lyrics_sandbox.lrclib.requests["GET /api/get"] == 0


def test_the_job_page_shows_each_tracks_lyrics(lyrics_sandbox: Sandbox, user: Any) -> None:
    track = _tracks(lyrics_sandbox, 1)[0]
    lyrics_sandbox.set_lyrics_kind(track.id, "plain")
    job = _download(lyrics_sandbox, user, [track], AudioFormat.OPUS)
    client = Client()
    client.force_login(user)

    page = client.get(f"/downloads/{job.pk}/").content.decode()

    assert '<th class="item-lyrics">Lyrics</th>' in page
    assert 'data-item-field="lyrics">Plain</td>' in page


def test_an_lrc_stays_while_another_format_of_the_song_lies_beside_it(tmp_path: Path) -> None:
    opus, mp3 = tmp_path / "Song.opus", tmp_path / "Song.mp3"
    for path in (opus, mp3, lrc_path(opus)):
        path.write_bytes(b"x")

    opus.unlink()
    lrc_remove_beside(opus)
    assert lrc_path(opus).exists()

    mp3.unlink()
    lrc_remove_beside(mp3)
    assert not lrc_path(mp3).exists()
