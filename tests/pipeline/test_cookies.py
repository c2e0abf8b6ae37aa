"""The uploaded cookies file: checked line by line, and never written by yt-dlp."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from downloads.pipeline.errors import FetchError
from downloads.pipeline.fetch.cookies import CookiesFileError, check_netscape
from downloads.pipeline.fetch.download import forget_session
from downloads.pipeline.fetch.options import FetchOptions
from downloads.pipeline.fetch.stage import FetchedAudio, fetch

SECRET = "session-secret-value"
HEADER = "# Netscape HTTP Cookie File"


def _file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def _row(domain: str = ".youtube.com", subdomains: str = "TRUE", expires: str = "0") -> str:
    return f"{domain}\t{subdomains}\t/\tTRUE\t{expires}\tSID\t{SECRET}"


def test_a_browser_export_passes_and_its_cookies_are_counted():
    data = _file("# a comment", "", _row(), "#HttpOnly_" + _row(), _row("127.0.0.1", "FALSE"))

    assert check_netscape(data) == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_file(_row(), "", ".youtube.com\tTRUE\t/"), "line 4: expected 7 tab-separated fields"),
        (_file(_row("youtube.com")), "line 2: a domain for subdomains"),
        (_file(_row(expires="soon")), "line 2: the 5th field (expiry) must be a number"),
        (_row().encode(), "line 1: expected the header '# Netscape HTTP Cookie File'"),
        (b'[{"name": "SID"}]', "JSON export"),
        (_file(), "holds no cookies"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)  # fmt: skip
def test_a_broken_file_is_refused_naming_the_line_but_never_its_content(data, message):
    with pytest.raises(CookiesFileError) as caught:
        check_netscape(data)

    assert message in str(caught.value)
    assert SECRET not in str(caught.value)


@pytest.mark.integration
def test_sixteen_parallel_downloads_on_one_cookies_file_leave_it_untouched(
    media_sandbox, short_track, tmp_path: Path
):
    uploaded = tmp_path / "youtube-cookies.txt"
    uploaded.write_bytes(
        _file(*(_row(f".site{i}.example") for i in range(39)), _row("127.0.0.1", "FALSE"))
    )
    before = hashlib.sha256(uploaded.read_bytes()).hexdigest()
    options = FetchOptions(cookiefile=uploaded)

    def one(n: int) -> FetchedAudio | FetchError:
        workdir = tmp_path / f"work-{n}"
        workdir.mkdir()
        try:
            return fetch(short_track.media_url(media_sandbox), options=options, workdir=workdir)
        except FetchError as error:
            return error
        finally:
            forget_session()  # closes this thread's yt-dlp instance: when yt-dlp writes cookies

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(one, range(16)))

    assert [r for r in results if isinstance(r, FetchError)] == []
    assert hashlib.sha256(uploaded.read_bytes()).hexdigest() == before
