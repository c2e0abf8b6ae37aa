"""YouTube's stand-in: YouTube Music search answers, real audio files, which one was fetched."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import mutagen
import pytest
import yt_dlp

from sandbox import Sandbox
from sandbox.candidates import make_id
from sandbox.ffmpeg import ffmpeg_exe
from sandbox.models import Track
from tests.support.ytmusic import search as ytm_search
from tests.support.ytmusic import ytmusic_client

RESULT_KEYS = {"id", "title", "duration", "views", "kind", "artists", "album", "explicit", "url"}


def liked_tracks(sb: Sandbox) -> list[Track]:
    tracks = [sb.world.track(i) for i in sb.user_library("ana")["liked"]]
    return [t for t in tracks if t is not None]


def query(track: Track) -> str:
    return f"{track.artists[0].name} - {track.name}"


def search(sb: Sandbox, q: str, **params: Any) -> list[dict[str, Any]]:
    return ytm_search(sb, ytmusic_client(sb), q, **params)


def stated_duration(path: Path) -> float:
    """The duration ffmpeg reads from the file header (ffprobe may be missing)."""
    info = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True, check=False
    ).stderr
    found = re.search(r"Duration: (\d+):(\d+):(\d+\.\d+)", info)
    assert found, info
    return int(found[1]) * 3600 + int(found[2]) * 60 + float(found[3])


def download(url: str, folder: Path) -> Path:
    options = {
        "outtmpl": str(folder / "%(id)s.%(ext)s"),
        "quiet": True,
        "noprogress": True,
        "no_warnings": True,
    }
    with yt_dlp.YoutubeDL(options) as ydl:
        info = ydl.extract_info(url, download=True)
    return Path(ydl.prepare_filename(info))


def ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def test_search_answers_youtube_shaped_candidates(sandbox: Sandbox, media: httpx.Client) -> None:
    track = liked_tracks(sandbox)[-1]
    results = search(sandbox, query(track))
    assert results and all(set(r) == RESULT_KEYS for r in results)
    for result in results:
        assert result["kind"] in ("song", "video")
        assert isinstance(result["duration"], int) and result["views"] > 0
        assert result["url"] == f"{sandbox.media_url}/watch?v={result['id']}"
        candidate = next(
            c for c in sandbox.media.index.search(query(track)) if c.id == result["id"]
        )
        assert (result["title"], result["duration"]) == (candidate.title, candidate.duration)
        assert (result["views"], result["kind"]) == (candidate.views, candidate.kind)
        if result["kind"] == "video":  # YouTube Music names a video's uploader as its artist
            assert result["artists"] == [candidate.channel] and result["explicit"] is None
        else:
            assert result["artists"] == list(candidate.artists or ())
            assert (result["album"], result["explicit"]) == (candidate.album, candidate.explicit)


def test_the_right_uploads_are_among_the_results(sandbox: Sandbox, media: httpx.Client) -> None:
    for track in liked_tracks(sandbox)[:25]:
        expected = sandbox.expected_candidates(track.id)
        ids = {r["id"] for r in search(sandbox, query(track), limit=50)}
        assert expected <= ids, track.name


def test_an_isrc_query_puts_the_official_song_first(sandbox: Sandbox, media: httpx.Client) -> None:
    for track in liked_tracks(sandbox)[:25]:
        results = search(sandbox, track.isrc)
        official = [c for c in sandbox.media.candidates(track.id) if c.label == "official"]
        if official:
            assert results[0]["id"] == official[0].id
            assert results[0]["kind"] == "song" and results[0]["id"] in sandbox.expected_candidates(
                track.id
            )


def test_kind_and_limit_filter_the_results(sandbox: Sandbox, media: httpx.Client) -> None:
    track = liked_tracks(sandbox)[-1]
    assert {r["kind"] for r in search(sandbox, query(track), kind="song")} <= {"song"}
    assert {r["kind"] for r in search(sandbox, query(track), kind="video")} == {"video"}
    assert ytmusic_client(sandbox).search(query(track), filter="albums") == []
    assert media.post("/youtubei/v1/search", json={"context": {}}).status_code == 400


def test_decoys_look_like_youtube_and_only_right_uploads_are_acceptable(sandbox: Sandbox) -> None:
    for track in liked_tracks(sandbox):
        seconds = round(track.duration_ms / 1000)
        for candidate in sandbox.media.candidates(track.id):
            gap = candidate.duration - seconds
            if candidate.label == "video":  # the official video has a long intro
                assert 20 <= gap <= 60 and not candidate.acceptable
            if candidate.label == "lyric":
                assert abs(gap) in (1, 2) and candidate.acceptable
            if candidate.label in ("live", "remix", "cover", "sped_up", "karaoke", "slowed"):
                assert not candidate.acceptable


def test_a_few_percent_of_recordings_have_no_acceptable_upload(sandbox: Sandbox) -> None:
    sandbox.world.materialize_all()
    tracks = list(sandbox.world.catalog.tracks_by_id.values())
    missing = [t for t in tracks if not sandbox.expected_candidates(t.id)]
    assert 0.01 < len(missing) / len(tracks) < 0.08


def test_explicit_and_clean_twins_each_have_their_own_right_answer(
    sandbox: Sandbox, media: httpx.Client
) -> None:
    twin = next(t for t in liked_tracks(sandbox) if t.twin is not None and t.explicit)
    assert twin.twin is not None
    explicit, clean = (
        sandbox.expected_candidates(twin.id),
        sandbox.expected_candidates(twin.twin.id),
    )
    assert explicit and clean and not explicit & clean
    songs = [r for r in search(sandbox, query(twin), kind="song") if r["title"] == twin.name]
    assert {r["explicit"] for r in songs} == {True, False}


def test_an_unmatched_query_finds_nothing(sandbox: Sandbox) -> None:
    assert search(sandbox, "zzzz qqqq xxxx") == []


def test_media_files_answer_with_type_length_and_ranges(
    sandbox: Sandbox, media: httpx.Client
) -> None:
    result = search(sandbox, query(liked_tracks(sandbox)[-1]))[0]
    whole = media.get(result["url"])
    assert whole.status_code == 200
    size = len(whole.content)
    assert whole.headers["Content-Type"] == "audio/webm"
    assert int(whole.headers["Content-Length"]) == size
    assert whole.headers["Accept-Ranges"] == "bytes"
    head = media.head(result["url"])
    assert head.headers["Content-Length"] == str(size) and head.content == b""
    part = media.get(result["url"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == whole.content[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{size}"
    tail = media.get(result["url"], headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == whole.content[-10:]
    beyond = media.get(result["url"], headers={"Range": f"bytes={size}-"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{size}"
    sandbox.media_knobs.container = "m4a"
    m4a = media.get(result["url"])
    assert m4a.headers["Content-Type"] == "audio/mp4" and m4a.content[4:8] == b"ftyp"
    assert media.get(f"/media/{result['id']}.m4a").content == m4a.content
    assert media.get("/media/AAAAAAAAAAA.webm").status_code == 404


@pytest.mark.parametrize("ext", ["webm", "m4a"])
def test_yt_dlp_downloads_audio_of_the_stated_duration_that_identify_names(
    sandbox: Sandbox, media: httpx.Client, tmp_path: Path, ext: str
) -> None:
    results = search(sandbox, query(liked_tracks(sandbox)[5]))
    chosen = results[1]
    sandbox.media_knobs.container = ext
    path = download(chosen["url"], tmp_path)
    assert path.suffix == f".{ext}"
    assert abs(stated_duration(path) - chosen["duration"]) < 0.6
    ids = [r["id"] for r in results]
    assert sandbox.media.identify(path, ids) == chosen["id"]


def test_identify_survives_remuxing_retagging_and_mp3(
    sandbox: Sandbox, media: httpx.Client, tmp_path: Path
) -> None:
    results = search(sandbox, query(liked_tracks(sandbox)[7]))
    ids = [r["id"] for r in results]
    chosen = results[-1]
    sandbox.media_knobs.container = "m4a"
    original = download(chosen["url"], tmp_path)
    tags = mutagen.File(original)
    tags["\xa9nam"] = ["Retagged"]
    tags.save()
    mp3, remuxed = tmp_path / "song.mp3", tmp_path / "song.mka"
    ffmpeg("-i", str(original), "-c:a", "libmp3lame", "-b:a", "64k", str(mp3))
    ffmpeg("-i", str(original), "-c", "copy", str(remuxed))
    for path in (original, mp3, remuxed):
        assert sandbox.media.identify(path, ids) == chosen["id"]
    others = [i for i in ids if i != chosen["id"]]
    assert sandbox.media.identify(mp3, others) is None


def test_audio_exists_only_for_candidates_that_were_requested(tmp_path: Path) -> None:
    with Sandbox(seed=3, preset="tiny", cache_dir=tmp_path) as sb, httpx.Client() as client:
        track = liked_tracks(sb)[-1]
        results = search(sb, query(track))
        assert sb.media.files() == []
        client.get(results[0]["url"])
        assert [p.name for p in sb.media.files()] == [f"{results[0]['id']}.webm"]


def test_a_tiny_four_minute_file_is_small(tmp_path: Path) -> None:
    with Sandbox(seed=3, preset="tiny", cache_dir=tmp_path) as sb:
        candidate = make_id(slot=77, seconds=240, salt=12345)
        answer = httpx.get(f"{sb.media_url}/media/{candidate}.webm")
    assert answer.status_code == 200
    assert len(answer.content) < 600_000


def test_search_answers_do_not_depend_on_what_was_asked_before() -> None:
    fresh, busy = Sandbox(seed=4), Sandbox(seed=4)
    target = liked_tracks(fresh)[-1]
    for track in liked_tracks(busy)[:10]:
        busy.media.index.search(query(track))
    assert [c.id for c in fresh.media.index.search(query(target))] == [
        c.id for c in busy.media.index.search(query(target))
    ]
