"""HTTP Range for the player and for single-file downloads (RFC 9110 section 14)."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from downloads.delivery.files import content_disposition
from downloads.delivery.ranges import ByteRange, RangeNotSatisfiable, parse_range
from tests.factories import ArtistFactory, SavedTrackFactory, TrackFactory
from tests.support.files import PutFile
from tests.support.responses import body

SIZE = 1000
DATA = bytes(range(256)) * 4  # 1024 bytes, every offset distinguishable enough
CONTENT = DATA[:SIZE]

# --- the parser ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=100-", ByteRange(100, 999)),
        ("bytes=-500", ByteRange(500, 999)),
        ("bytes=-5000", ByteRange(0, 999)),  # longer than the file: the whole file
        ("bytes=900-5000", ByteRange(900, 999)),  # the end is clipped to the last byte
        ("bytes=999-999", ByteRange(999, 999)),
        ("BYTES=0-0", ByteRange(0, 0)),  # the unit is case-insensitive
        ("bytes= 10-20 ,", ByteRange(10, 20)),  # whitespace and empty list elements
    ],
)
def test_a_single_range_is_parsed_and_clipped_to_the_file(header: str, expected: ByteRange) -> None:
    assert parse_range(header, SIZE) == expected


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "bytes=0-1,5-6",  # several ranges: the whole file instead
        "bytes=-1,0-0",
        "bytes=abc",
        "bytes=5-1",  # last before first: invalid, so ignored
        "bytes=-",
        "bytes=",
        "bytes=1-2-3",
        "bytes=+1-2",
        "bytes 0-1",
        "items=0-1",  # an unknown unit is ignored
        "bytes=0x10-",
        "bytes=" + "9" * 5000 + "-",  # absurdly long
    ],
)
def test_absent_malformed_or_multiple_ranges_mean_the_whole_file(header: str | None) -> None:
    assert parse_range(header, SIZE) is None


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=1000-2000", "bytes=5000-", "bytes=-0"])
def test_a_range_that_selects_nothing_is_not_satisfiable(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, SIZE)


def test_an_empty_file_ignores_ranges() -> None:
    assert parse_range("bytes=0-10", 0) is None


def test_content_disposition_carries_utf8_and_an_ascii_fallback() -> None:
    header = content_disposition("attachment", 'Björk - Jóga "live" 100%.opus')

    assert header == (
        'attachment; filename="Bjork - Joga _live_ 100_.opus"; '
        "filename*=UTF-8''Bj%C3%B6rk%20-%20J%C3%B3ga%20%22live%22%20100%25.opus"
    )


def test_a_name_without_any_ascii_gets_a_generic_fallback() -> None:
    header = content_disposition("inline", "東京.mp3")

    assert header.startswith('inline; filename="download.mp3"; ')
    assert header.endswith("filename*=UTF-8''%E6%9D%B1%E4%BA%AC.mp3")


# --- over HTTP ----------------------------------------------------------------------------------


@pytest.fixture
def stream_url(user: Any, put_file: PutFile) -> str:
    track = TrackFactory.create(name="Jóga", artists=[ArtistFactory.create(name="Björk")])
    SavedTrackFactory.create(user=user, track=track)
    stored = put_file(track, "Björk/Homogenic/1-01 Jóga.opus", CONTENT)
    return f"/files/{stored.pk}/stream/"


def test_a_stream_without_range_is_the_whole_file_with_accept_ranges(
    signed_in: Client, stream_url: str
) -> None:
    response = signed_in.get(stream_url)

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response.is_async  # streamed from an async iterator, never buffered by Django
    assert body(response) == CONTENT
    assert response["Content-Length"] == str(SIZE)
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "audio/ogg"
    assert response["Content-Disposition"].startswith('inline; filename="Bjork - Joga.opus"')
    assert response["ETag"].startswith('"')
    assert "Last-Modified" in response


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-99", 0, 99), ("bytes=-500", 500, 999), ("bytes=100-", 100, 999)],
    ids=["usual", "suffix", "open-ended"],
)
def test_a_range_answers_206_with_exactly_those_bytes(
    signed_in: Client, stream_url: str, header: str, start: int, end: int
) -> None:
    response = signed_in.get(stream_url, headers={"Range": header})

    assert response.status_code == 206
    assert body(response) == CONTENT[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/{SIZE}"
    assert response["Content-Length"] == str(end - start + 1)


def test_an_unsatisfiable_range_answers_416_with_the_size(
    signed_in: Client, stream_url: str
) -> None:
    response = signed_in.get(stream_url, headers={"Range": "bytes=1000-"})

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert body(response) == b""


def test_several_ranges_answer_the_whole_file(signed_in: Client, stream_url: str) -> None:
    response = signed_in.get(stream_url, headers={"Range": "bytes=0-1,10-20"})

    assert response.status_code == 200
    assert body(response) == CONTENT
    assert "Content-Range" not in response


def test_a_range_with_a_stale_if_range_answers_the_whole_file(
    signed_in: Client, stream_url: str
) -> None:
    etag = signed_in.head(stream_url)["ETag"]

    fresh = signed_in.get(stream_url, headers={"Range": "bytes=0-9", "If-Range": etag})
    stale = signed_in.get(stream_url, headers={"Range": "bytes=0-9", "If-Range": '"old"'})

    assert fresh.status_code == 206
    assert body(fresh) == CONTENT[:10]
    assert stale.status_code == 200
    assert body(stale) == CONTENT


def test_a_matching_if_none_match_answers_304(signed_in: Client, stream_url: str) -> None:
    etag = signed_in.head(stream_url)["ETag"]

    response = signed_in.get(stream_url, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response["ETag"] == etag


def test_head_answers_the_headers_without_reading_the_file(
    signed_in: Client, stream_url: str
) -> None:
    response = signed_in.head(stream_url, headers={"Range": "bytes=-10"})

    assert response.status_code == 206
    assert response["Content-Length"] == "10"
    assert response["Content-Range"] == f"bytes 990-999/{SIZE}"
    assert body(response) == b""


@pytest.mark.parametrize(
    ("extension", "content_type"),
    [
        ("opus", "audio/ogg"),
        ("ogg", "audio/ogg"),
        ("m4a", "audio/mp4"),
        ("mp3", "audio/mpeg"),
        ("webm", "audio/webm"),
    ],
)
def test_the_content_type_follows_the_container(
    signed_in: Client, user: Any, put_file: PutFile, extension: str, content_type: str
) -> None:
    track = SavedTrackFactory.create(user=user).track
    stored = put_file(track, f"A/B/song.{extension}")

    response = signed_in.get(f"/files/{stored.pk}/stream/")

    assert response["Content-Type"] == content_type
    assert body(response) == b"audio bytes"  # read to the end, so the file is closed


def test_a_single_file_download_is_an_attachment_named_after_artists_and_title(
    signed_in: Client, stream_url: str
) -> None:
    response = signed_in.get(stream_url.removesuffix("stream/"), headers={"Range": "bytes=10-"})

    assert response.status_code == 206  # a broken download can resume
    assert body(response) == CONTENT[10:]
    assert response["Content-Disposition"] == (
        'attachment; filename="Bjork - Joga.opus"; '
        "filename*=UTF-8''Bj%C3%B6rk%20-%20J%C3%B3ga.opus"
    )
