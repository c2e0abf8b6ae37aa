"""Read a pasted YouTube / YouTube Music link down to its video id, refusing everything else.

Only the id survives: the URL handed to yt-dlp is rebuilt from it (`canonical_watch_url`), never
taken from the person. Accepted shapes, over http or https, on exactly these hosts:

    https://www.youtube.com/watch?v=<id>        (also youtube.com, m.youtube.com)
    https://music.youtube.com/watch?v=<id>
    https://youtu.be/<id>
    https://www.youtube.com/shorts/<id>         (also youtube.com, m.youtube.com)

where <id> is 11 characters of [A-Za-z0-9_-]. Other query parameters (`t`, `list`, `si`...) and
a fragment are ignored. Anything else is refused: other hosts and look-alikes
(`youtube.com.evil.com`), user info (`https://youtube.com@evil.com/`), ports, backslashes,
spaces or control characters, non-ASCII, and schemes other than http(s) (javascript:, file:...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from downloads.pipeline.sources.common import VIDEO_ID, youtube_watch_url

MAX_LINK_LENGTH = 2000
WATCH_HOSTS = frozenset({"www.youtube.com", "youtube.com", "m.youtube.com", "music.youtube.com"})
SHORTS_HOSTS = frozenset({"www.youtube.com", "youtube.com", "m.youtube.com"})
SHORT_HOST = "youtu.be"
MUSIC_HOST = "music.youtube.com"
ALLOWED_HOSTS = WATCH_HOSTS | {SHORT_HOST}
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]+")
_SHORTS_PATH = re.compile(r"/shorts/(?P<id>[^/]*)/?")

EMPTY = "Paste a link to a YouTube or YouTube Music video."
NOT_A_LINK = (
    "That is not a web link. Paste the video's address, starting with https://, "
    "for example https://www.youtube.com/watch?v=dQw4w9WgXcQ."
)
BAD_CHARACTERS = (
    "That link contains spaces or unusual characters. Copy the video's address again from the "
    "address bar or the Share button."
)
HIDDEN_ADDRESS = (
    "That link points somewhere else than YouTube (it carries a user name or a port). "
    "Paste the video's plain YouTube address."
)
OTHER_SITE = (
    "Only links to YouTube or YouTube Music are accepted: www.youtube.com, youtube.com, "
    "m.youtube.com, music.youtube.com or youtu.be."
)
NO_VIDEO = (
    "That link does not point to one video. Open the video and copy its address: it looks like "
    "youtube.com/watch?v=…, youtu.be/… or youtube.com/shorts/…."
)
BAD_ID = "That link's video id is not valid: YouTube video ids are 11 letters, digits, - or _."


class LinkError(ValueError):
    """The text is not an accepted YouTube link; the message says why in plain words."""


@dataclass(frozen=True, slots=True)
class YouTubeLink:
    video_id: str
    music: bool = False

    @property
    def canonical_url(self) -> str:
        return youtube_watch_url(self.video_id, music=self.music)


def parse_youtube_link(text: str) -> YouTubeLink:
    """The video a pasted link names, or LinkError with a reason a person can act on."""
    text = (text or "").strip()
    if not text:
        raise LinkError(EMPTY)
    if len(text) > MAX_LINK_LENGTH or not _PRINTABLE_ASCII.fullmatch(text) or "\\" in text:
        raise LinkError(BAD_CHARACTERS)
    try:
        parts = urlsplit(text)
    except ValueError:
        raise LinkError(NOT_A_LINK) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise LinkError(NOT_A_LINK)
    if "@" in parts.netloc or ":" in parts.netloc:
        raise LinkError(HIDDEN_ADDRESS)
    host = parts.netloc.lower()
    if host not in ALLOWED_HOSTS:
        raise LinkError(OTHER_SITE)
    if host == SHORT_HOST:
        return YouTubeLink(_valid_id(parts.path.removeprefix("/")))
    if parts.path == "/watch":
        return YouTubeLink(_watch_id(parts.query), music=host == MUSIC_HOST)
    shorts = _SHORTS_PATH.fullmatch(parts.path)
    if shorts and host in SHORTS_HOSTS:
        return YouTubeLink(_valid_id(shorts["id"]))
    raise LinkError(NO_VIDEO)


def _watch_id(query: str) -> str:
    """Exactly one `v` parameter, taken as written (no percent-decoding)."""
    values = [value for key, _, value in (p.partition("=") for p in query.split("&")) if key == "v"]
    if len(values) != 1:
        raise LinkError(NO_VIDEO)
    return _valid_id(values[0])


def _valid_id(candidate: str) -> str:
    if not candidate:
        raise LinkError(NO_VIDEO)
    if "/" in candidate or not VIDEO_ID.fullmatch(candidate):
        raise LinkError(BAD_ID)
    return candidate
