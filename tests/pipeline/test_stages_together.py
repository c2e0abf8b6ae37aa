"""Fetch → tag → store on the sandbox: the file a person gets, in every format."""

from __future__ import annotations

from pathlib import Path

import pytest

from downloads.pipeline.fetch.options import FetchOptions
from downloads.pipeline.fetch.stage import fetch
from downloads.pipeline.metadata import TrackTags
from downloads.pipeline.store import DEFAULT_TEMPLATE, PathFields, render_path, store_file
from downloads.pipeline.tag import read_tags, write_tags
from sandbox import Sandbox
from tests.pipeline.sandbox_tracks import SandboxTrack


@pytest.mark.integration
@pytest.mark.parametrize("audio_format", ["original", "mp3", "m4a", "opus"])
def test_a_track_is_fetched_tagged_and_stored_under_the_template(
    media_sandbox: Sandbox,
    short_track: SandboxTrack,
    tmp_path: Path,
    _music_root: Path,
    cover_jpeg: bytes,
    audio_format: str,
) -> None:
    track = short_track.track
    url = short_track.media_url(media_sandbox)
    tags = TrackTags(
        title=track.name,
        artists=tuple(a.name for a in track.artists),
        album=track.album.name,
        album_artists=(track.artists[0].name,),
        track_number=track.track_number,
        disc_number=track.disc_number,
        isrc=track.isrc,
        spotify_url=f"https://open.spotify.com/track/{track.id}",
        source_url=url,
        match_score=0.9,
    )
    options = FetchOptions(audio_format=audio_format)  # type: ignore[arg-type]
    workdir = tmp_path / "work"  # the worker's job, in production
    workdir.mkdir()

    fetched = fetch(url, options=options, workdir=workdir)
    write_tags(fetched.path, tags, cover_jpeg)
    planned = render_path(DEFAULT_TEMPLATE, PathFields.from_tags(tags, fetched.ext))
    final = store_file(fetched.path, planned, track_id=track.id)

    assert final.is_relative_to(_music_root)
    assert final.relative_to(_music_root).as_posix() == planned.relative().as_posix()
    stored = read_tags(final)
    assert (stored["title"], stored["isrc"], stored["cover"]) == (
        track.name,
        track.isrc,
        cover_jpeg,
    )
    assert media_sandbox.media.identify(final, [short_track.right]) == short_track.right
    assert not any(workdir.iterdir())
