"""The uploaded YouTube cookies file: checked line by line at upload, read-only afterwards.

yt-dlp writes its `cookiefile` back when an instance closes (truncate, then write), so parallel
downloads sharing the uploaded file corrupt it. Each yt-dlp instance gets its own in-memory
copy instead (`private_jar`); the file on disk is only ever read. Messages never quote a line:
its fields hold the account's session.
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path

FIELDS = 7  # domain, include subdomains, path, https only, expires, name, value
_HEADER = re.compile(r"#( Netscape)? HTTP Cookie File")  # what http.cookiejar insists on
_HTTPONLY = "#HttpOnly_"
_EXPIRES = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_FLAGS = ("TRUE", "FALSE")


class CookiesFileError(ValueError):
    """The file is not a Netscape cookies file yt-dlp can load; the message names the line."""


def check_netscape(data: bytes) -> int:
    """The number of cookies in a Netscape-format cookies file; raises CookiesFileError
    saying which line is wrong and how, without echoing anything from it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CookiesFileError("The file is not UTF-8 text.") from exc
    lines = text.splitlines()
    if text.lstrip().startswith(("{", "[")):
        raise CookiesFileError(
            "This is a JSON export: export the cookies in Netscape format (cookies.txt) instead."
        )
    if not lines or not _HEADER.match(lines[0]):
        raise CookiesFileError("line 1: expected the header '# Netscape HTTP Cookie File'.")
    count = 0
    for number, line in enumerate(lines[1:], start=2):
        if line.startswith(_HTTPONLY):
            line = line.removeprefix(_HTTPONLY)
        elif line.startswith("#") or not line.strip():
            continue
        problem = _line_problem(line.split("\t"))
        if problem:
            raise CookiesFileError(f"line {number}: {problem}.")
        count += 1
    if count == 0:
        raise CookiesFileError("The file holds no cookies.")
    return count


def _line_problem(fields: list[str]) -> str | None:
    if len(fields) != FIELDS:
        return f"expected {FIELDS} tab-separated fields, found {len(fields)}"
    domain, subdomains, _path, https_only, expires, _name, _value = fields
    if subdomains not in _FLAGS or https_only not in _FLAGS:
        return "the 2nd and 4th fields must be TRUE or FALSE"
    if (subdomains == "TRUE") != domain.startswith("."):
        return "a domain for subdomains (2nd field TRUE) must start with a dot, and only then"
    if expires and not _EXPIRES.fullmatch(expires):
        return "the 5th field (expiry) must be a number of seconds"
    return None


def private_jar(path: Path) -> io.StringIO:
    """A private, in-memory copy of the file for one yt-dlp instance to read and write back."""
    return io.StringIO(_read(path, *_stamp(path)))


def _stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_mtime_ns, status.st_size


@functools.lru_cache(maxsize=4)
def _read(path: Path, _mtime_ns: int, _size: int) -> str:
    """Read once per version of the file (a new upload has a new stamp)."""
    return path.read_text(encoding="utf-8")


def jar_stamp(path: Path | None) -> tuple[str, int, int] | None:
    """What identifies one version of the uploaded file: a new upload needs a new instance."""
    return None if path is None else (str(path), *_stamp(path))
