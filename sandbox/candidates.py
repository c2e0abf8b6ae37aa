"""Search candidates for each recording: the right upload plus realistic decoys.

One list per ISRC (a single and its album version share one). Candidate ids are 11 characters
like YouTube's, and encode the candidate's tone and duration, so the media server can make
its audio from the id alone, even for ids minted before a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sandbox import words
from sandbox.ids import YOUTUBE_ALPHABET, encode, rng, stable_int
from sandbox.models import Track

SLOTS = 128  # tone frequencies: 300 Hz + 25 Hz * slot
MISSING_RATE = 0.04  # recordings with no acceptable upload at all
_BITS = 66
_MULT = 0x2F3A_9C5B_71D3_E4A7  # odd, so multiplying mod 2**66 scrambles bijectively
_INVERSE = pow(_MULT, -1, 1 << _BITS)
LYRIC_CHANNELS = ("7clouds", "Lyrics Vault", "Dan Music", "SixteenLyrics", "Taj Tracks")
PLACES = ("Wembley", "Glastonbury 2019", "Red Rocks", "the BBC", "Montreux", "KEXP")


def tone_hz(slot: int) -> float:
    return 300.0 + 25.0 * slot


def make_id(slot: int, seconds: int, salt: int) -> str:
    salt %= 1 << 35
    check = stable_int("cid", salt, slot, seconds) & 0x3FF
    value = (check << 56) | (salt << 21) | (slot << 13) | (seconds & 0x1FFF)
    return encode((value * _MULT) % (1 << _BITS), YOUTUBE_ALPHABET, 11)


def parse_id(candidate_id: str) -> tuple[int, int] | None:
    """(tone slot, duration in seconds) for a well-formed candidate id, else None."""
    if len(candidate_id) != 11 or any(c not in YOUTUBE_ALPHABET for c in candidate_id):
        return None
    value = 0
    for char in candidate_id:
        value = value * 64 + YOUTUBE_ALPHABET.index(char)
    value = (value * _INVERSE) % (1 << _BITS)
    check, salt = value >> 56, (value >> 21) & ((1 << 35) - 1)
    slot, seconds = (value >> 13) & 0xFF, value & 0x1FFF
    if slot >= SLOTS or seconds == 0 or check != stable_int("cid", salt, slot, seconds) & 0x3FF:
        return None
    return slot, seconds


@dataclass(frozen=True)
class Candidate:
    id: str
    title: str
    channel: str
    duration: int
    views: int
    kind: str  # "song" | "video"
    artists: tuple[str, ...] | None
    album: str | None
    explicit: bool | None
    acceptable: bool
    label: str  # what it really is: official, lyric, live, cover... (never sent)

    @property
    def slot(self) -> int:
        parsed = parse_id(self.id)
        assert parsed is not None
        return parsed[0]


def has_upload(seed: int, isrc: str) -> bool:
    return rng(seed, "missing", isrc).random() >= MISSING_RATE


def official_song(seed: int, track: Track) -> Candidate:
    """The artist's own upload on YouTube Music (kind "song"), shared by twins' lists."""
    r = rng(seed, "official", track.isrc)
    # Even slots for explicit recordings, odd for clean: twins never share a tone.
    slot = 2 * r.randrange(SLOTS // 2) + (0 if track.explicit else 1)
    seconds = max(1, round(track.duration_ms / 1000))
    artist = track.artists[0].name
    return Candidate(
        make_id(slot, seconds, stable_int(seed, "official", track.isrc)),
        track.name,
        f"{artist} - Topic",
        seconds,
        r.randint(10**5, 10**8),
        "song",
        tuple(a.name for a in track.artists),
        track.album.name,
        track.explicit,
        True,
        "official",
    )


class _ListBuilder:
    def __init__(self, seed: int, track: Track, twin: Track | None) -> None:
        self.seed, self.track, self.twin = seed, track, twin
        self.r = rng(seed, "candidates", track.isrc)
        self.seconds = max(1, round(track.duration_ms / 1000))
        self.artist = track.artists[0].name
        self.used: set[int] = set()
        self.items: list[Candidate] = []
        self.clean = " (Clean)" if twin is not None and not track.explicit else ""

    def add(
        self,
        label: str,
        title: str,
        channel: str,
        seconds: int,
        kind: str,
        acceptable: bool = False,
        artists: tuple[str, ...] | None = None,
        album: str | None = None,
        explicit: bool | None = None,
        views: int = 0,
    ) -> None:
        slot = self.r.choice([s for s in range(SLOTS) if s not in self.used])
        self.used.add(slot)
        seconds = max(5, seconds)
        cid = make_id(slot, seconds, stable_int(self.seed, label, self.track.isrc))
        views = views or self.r.randint(10**3, 10**7)
        self.items.append(
            Candidate(
                cid,
                title,
                channel,
                seconds,
                views,
                kind,
                artists,
                album,
                explicit,
                acceptable,
                label,
            )
        )

    def build(self) -> list[Candidate]:
        t, r, s, a = self.track, self.r, self.seconds, self.artist
        if has_upload(self.seed, t.isrc):
            official = official_song(self.seed, t)
            self.used.add(official.slot)
            self.items.append(official)
            if r.random() < 0.6:
                self.add(
                    "lyric",
                    f"{a} - {t.name} (Lyrics){self.clean}",
                    r.choice(LYRIC_CHANNELS),
                    s + r.choice((-2, -1, 1, 2)),
                    "video",
                    acceptable=True,
                )
            if r.random() < 0.4:
                self.add(
                    "audio",
                    f"{a} - {t.name} (Official Audio){self.clean}",
                    a,
                    s,
                    "video",
                    acceptable=True,
                )
        if self.twin is not None and has_upload(self.seed, self.twin.isrc):
            # The other version's upload: same id as in its own list, wrong for this track.
            twin = replace(official_song(self.seed, self.twin), acceptable=False, label="twin")
            self.used.add(twin.slot)
            self.items.append(twin)
        self._decoys()
        r.shuffle(self.items)
        return self.items

    def _decoys(self) -> None:
        t, r, s, a = self.track, self.r, self.seconds, self.artist
        other, person = words.artist_name(r), f"{r.choice(words.FIRST_NAMES)} Sings"
        decoys: list[Callable[[], None]] = [
            lambda: self.add(
                "video",
                f"{a} - {t.name} (Official Music Video)",
                f"{a}VEVO",
                s + r.randint(20, 60),
                "video",
                views=r.randint(10**6, 10**9),
            ),
            lambda: self.add(
                "live", f"{t.name} (Live at {r.choice(PLACES)})", a, s + r.randint(15, 90), "video"
            ),
            lambda: self.add(
                "remix",
                f"{t.name} ({other} Remix)",
                f"{other} - Topic",
                int(s * 1.2) + 7,
                "song",
                artists=(a, other),
                album=f"{t.name} (Remixes)",
                explicit=t.explicit,
            ),
            lambda: self.add(
                "cover",
                f"{t.name} - {a} (Cover by {person})",
                person,
                s + r.choice((-2, 2, 5, -7)),
                "video",
            ),
            lambda: self.add(
                "sped_up", f"{a} - {t.name} (sped up)", "sped up songs", int(s * 0.8), "video"
            ),
            lambda: self.add(
                "karaoke",
                f"{a} - {t.name} (Karaoke Version)",
                "Sing King",
                s + r.choice((0, 1, 3)),
                "video",
            ),
            lambda: self.add(
                "other_artist",
                t.name,
                f"{other} - Topic",
                s + r.randint(12, 80),
                "song",
                artists=(other,),
                album=words.album_name(r, other),
                explicit=False,
            ),
            lambda: self.add(
                "slowed", f"{t.name} (slowed + reverb)", "slowed vibes", int(s * 1.25), "video"
            ),
        ]
        for make in r.sample(decoys, r.randint(4, len(decoys))):
            make()


def candidate_list(seed: int, track: Track, twin: Track | None = None) -> list[Candidate]:
    """`track` and `twin` (its other version) are each their recording's first release."""
    return _ListBuilder(seed, track, twin).build()


def isrc_first(items: list[Candidate], track: Track, seed: int) -> list[Candidate]:
    """For an ISRC query: the official song upload first, when the recording has one."""
    official = official_song(seed, track).id if has_upload(seed, track.isrc) else None
    return sorted(items, key=lambda c: c.id != official)
