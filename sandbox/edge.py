"""Hand-written edge cases: names and shapes that break naive file paths, tags and matchers.

The first EDGE_ARTIST_COUNT catalog artists are these; the edge-case user likes all their tracks.
"""

from __future__ import annotations

from dataclasses import dataclass

LONG_ARTIST = (
    "The Orchestra of Extremely Long Names and Their Friends Who Keep Adding Words "
    "Until the Filesystem Gives Up, Featuring Everyone Who Ever Played a Note in the "
    "Great Hall of Overly Verbose Credits, Live From the Longest Street in the World, "
    "Remastered, Expanded, Deluxe, Anniversary, Collector's, Director's Cut Edition"
)
LONG_TITLE = (
    "A Song Title So Long That It Cannot Possibly Fit Into Any Sensible Path Component "
    "Because Every File System Has a Limit of Two Hundred and Fifty-Five Bytes per Name "
    "and This Sentence Was Written Specifically to Cross That Line With Room to Spare, "
    "Then Keep Going for a While Longer, Just to Be Certain (Extended Club Mix) [Live]"
)


@dataclass(frozen=True)
class EdgeTrack:
    name: str
    seconds: int
    explicit: bool = False
    feat: int | None = None  # index of a featured edge artist


@dataclass(frozen=True)
class EdgeAlbum:
    name: str
    album_type: str
    tracks: tuple[EdgeTrack, ...]
    clean_twin: bool = False  # also release a clean version (explicit/clean twins)


@dataclass(frozen=True)
class EdgeArtist:
    name: str
    albums: tuple[EdgeAlbum, ...]


T = EdgeTrack

EDGE_ARTISTS: tuple[EdgeArtist, ...] = (
    EdgeArtist(
        "فرقة الليل",  # right-to-left (Arabic)
        (
            EdgeAlbum(
                "أغاني القمر",
                "album",
                (T("نور القمر", 214), T("שיר של לילה", 187), T("Intro (مقدمة)", 21)),
            ),
        ),
    ),
    EdgeArtist(
        "AC/DC Tribute Band",  # a slash in the artist name
        (
            EdgeAlbum(
                "Back\\Slash / Forward",
                "album",
                (
                    T("Highway to ../../etc/passwd", 208),
                    T("Either/Or", 251),
                    T("C:\\Music\\Track", 199, feat=3),
                    T("..", 95),
                ),
            ),
        ),
    ),
    EdgeArtist(
        "..",  # an artist called ".."
        (EdgeAlbum("...", "single", (T(".", 134), T("..", 141))),),
    ),
    EdgeArtist(
        "🔥 Fire Kids 🎸",
        (
            EdgeAlbum(
                "Explicit Content 💿",
                "album",
                (
                    T("🔥🔥🔥", 176, explicit=True),
                    T("Dancing 💃 Queen", 203, explicit=True, feat=5),
                    T("Clean Intentions", 188),
                    T("Bad Words", 161, explicit=True),
                ),
                clean_twin=True,
            ),
        ),
    ),
    EdgeArtist(
        "Tab\tSeparated\x07Bell",  # control characters
        (
            EdgeAlbum(
                "Line\nBreak",
                "album",
                (
                    T("Escape\x1b[31mRed", 222),
                    T("Carriage\rReturn", 199),
                    T("Interlude", 17),  # shorter than 30 s
                    T("The Long Goodbye (Full Session)", 1301),  # longer than 20 min
                ),
            ),
        ),
    ),
    EdgeArtist(
        LONG_ARTIST,  # 300+ characters
        (EdgeAlbum(LONG_TITLE, "album", (T(LONG_TITLE, 233), T("Short One", 29))),),
    ),
    EdgeArtist(
        "CON",  # reserved device names and characters Windows refuses
        (
            EdgeAlbum(
                "NUL",
                "album",
                (
                    T('What?*<>|:"', 201),
                    T("trailing dot.", 187),
                    T("  leading and trailing spaces  ", 176),
                    T("AUX", 164),
                ),
            ),
        ),
    ),
    EdgeArtist(
        "Sigur Ro\u0301s & Jo\u0301nsi",  # decomposed (NFD) accents
        (
            EdgeAlbum(
                "Ágætis Byrjun (Café Sessions)",
                "album",
                (
                    T("Cafe\u0301 del Mar", 305, feat=0),  # NFD
                    T("Café del Mar", 305),  # NFC: a different string that looks the same
                    T("Hoppípolla", 270, feat=3),
                    T("Ný Batterí", 1488),  # 24 minutes
                ),
            ),
        ),
    ),
)

EDGE_ARTIST_COUNT = len(EDGE_ARTISTS)

LOCAL_FILES: tuple[tuple[str, str, str, int], ...] = (
    ("Demo Tape #3", "My Garage Band", "Unreleased", 187_000),
    ("Voice Memo 2019-07-04", "", "", 42_000),
    ("Wedding Song (final) (FINAL).mp3", "Cousin Vinny", "Family Stuff", 254_000),
)
