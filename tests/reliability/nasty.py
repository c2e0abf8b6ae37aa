"""A small deterministic generator of nasty input (hypothesis is not installed): fixed atoms
that are known to hurt (separators, dot-dot, control and bidi characters, reserved names,
very long and right-to-left text), and seeded random mixes of them."""

from __future__ import annotations

import random
import string

SEPARATORS = [
    "/", "\\", ".", "..", "...", "../", "..\\", "/..", "./", "~", ":", "|", "*", "?", '"',
    "<", ">", "%2e%2e%2f", "%2F", "%00", "\u2215", "\u2044", "\uff0f", "\uff3c", "\u2025",
    "\uff0e\uff0e",
]  # fmt: skip
CONTROLS = [chr(c) for c in range(32)] + ["\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\u200b"]
BIDI = ["\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068", "\u2069"]
BIDI += ["\u200e", "\u200f", "\u061c"]
WORDS = [
    "Song", "שלום עולם", "مرحبا بالعالم", "Ünïcödé", "e\u0301", "🎵", "👩🏽‍🎤", "🇯🇵", "日本語",
    "CON", "nul", "COM1", "LPT9", "aux", ".incoming", "Playlists", "{title}", "{album}", "%s",
    "$HOME", "`id`", "'; DROP TABLE x;--", "<script>alert(1)</script>", "&amp;", "-rf",
]  # fmt: skip
FIXED = [
    "", " ", ".", "..", "...", "/", "\\", "../../../../etc/passwd", "..\\..\\windows\\win.ini",
    "/etc/passwd", "C:\\Windows", "C:", "\\\\server\\share", "~/x", "a/b", "a\\b", "a\x00b",
    "\n", "\r\n", "\t", " padded ", "trailing.", "trailing ", "CON", "con.txt", "NUL.opus",
    "COM1", ".hidden", "..hidden", "x" * 1000, "é" * 600, "🎵" * 300, "e" + "\u0301" * 60,
    "\u202egnp.exe", "שלום/עולם", "مرحبا\\بالعالم", "\u200d" * 20, "A\u030a", "\u00c5",
    "Song (Live) [Remix] {Edit}", "AC/DC", "..Song..", "Song\x1b[31mRed", "Line\nBreak",
]  # fmt: skip
ATOMS = SEPARATORS + CONTROLS + BIDI + WORDS


def nasty_strings(count: int = 150, *, seed: int = 2026) -> list[str]:
    """The fixed cases, then seeded mixes of 1 to 6 atoms (with a long one now and then)."""
    rng = random.Random(seed)
    found = list(FIXED)
    while len(found) < count:
        parts = [rng.choice(ATOMS) for _ in range(rng.randint(1, 6))]
        if rng.random() < 0.1:
            parts.append(rng.choice(WORDS) * rng.randint(20, 80))
        found.append("".join(parts))
    return found


BASE62 = string.ascii_letters + string.digits
KINDS = ("track", "album", "playlist", "artist")
Expected = tuple[str, str] | None  # (kind, id) when the text must be accepted, None when refused


def spotify_id(rng: random.Random, length: int = 22) -> str:
    return "".join(rng.choice(BASE62) for _ in range(length))


def spotify_targets(*, seed: int = 7) -> list[tuple[str, Expected]]:
    """Spotify links and URIs of every shape, each with what parsing it must give."""
    rng = random.Random(seed)
    cases: list[tuple[str, Expected]] = []
    for kind in KINDS:
        sid, longest = spotify_id(rng), spotify_id(rng, 64)
        ok = (kind, sid)
        for prefix in ("https://open.spotify.com", "http://open.spotify.com"):
            for middle in ("", "/intl-de", "/intl-pt-br", "/embed", "/intl-fr/embed"):
                for suffix in ("", "/", "?si=abc123", "?si=a&utm_source=x#frag", "#t=10"):
                    cases.append((f"{prefix}{middle}/{kind}/{sid}{suffix}", ok))
        cases += [
            (f"spotify:{kind}:{sid}", ok),
            (f"  spotify:{kind}:{sid}\n", ok),
            (f"\thttps://open.spotify.com/{kind}/{sid}  ", ok),
            (f"https://open.spotify.com/{kind}/{longest}", (kind, longest)),
            (f"https://open.spotify.com/{kind}/{sid}?x=\u202e\x00", ok),  # junk after "?" only
        ]
        refused = [
            f"https://open.spotify.com.evil.example/{kind}/{sid}",
            f"https://evil.example/open.spotify.com/{kind}/{sid}",
            f"https://evil.example/?u=https://open.spotify.com/{kind}/{sid}",
            f"https://user@open.spotify.com/{kind}/{sid}",
            f"https://open.spotify.com:8443/{kind}/{sid}",
            f"https://open.spotify.com/{kind}/{spotify_id(rng, 65)}",
            f"https://open.spotify.com/{kind}/",
            f"https://open.spotify.com/{kind}/{sid}/extra",
            f"https://open.spotify.com/{kind}/../playlist/{sid}",
            f"https://open.spotify.com/{kind}/{sid[:5]}-{sid[5:]}",
            f"https://open.spotify.com/{kind}/{sid[:5]}_{sid[5:]}",
            f"https://open.spotify.com/{kind}/{sid[:5]}%41{sid[5:]}",
            f"https://open.spotify.com/{kind}/\uff21\uff22\uff23",  # fullwidth letters
            f"https://open.spotify.com/{kind}/\u0661\u0662\u0663",  # Arabic-Indic digits
            f"https://open.spotify.com/{kind}/{sid}\nspotify:{kind}:{sid}",
            f"https://open.spotify.com/{kind}/{sid}\x00",
            f"https://open.spotify.com/{kind}/{sid}\u202e",
            f"open.spotify.com/{kind}/{sid}",
            f"//open.spotify.com/{kind}/{sid}",
            f"ftp://open.spotify.com/{kind}/{sid}",
            f"javascript:alert('spotify:{kind}:{sid}')",
            f"spotify:{kind}:{sid}:extra",
            f"spotify:{kind}:",
            f"spotify::{sid}",
            f"spotify:user:someone:{kind}:{sid}",
            f"spotify:{kind}:{sid} spotify:{kind}:{sid}",
            f"SPOTIFY:{kind.upper()}:{sid}",
        ]
        cases += [(text, None) for text in refused]
    for kind in ("show", "episode", "user", "collection", "genre", "concert"):
        cases.append((f"https://open.spotify.com/{kind}/{spotify_id(rng)}", None))
        cases.append((f"spotify:{kind}:{spotify_id(rng)}", None))
    cases += [("liked", ("liked", "")), (" LIBRARY ", ("library", "")), ("Liked\n", ("liked", ""))]
    cases += [(text, None) for text in ("", " ", "likedd", "libraries", "\u202eliked")]
    return cases


def mutations(text: str, rng: random.Random, count: int) -> list[str]:
    """`text` with nasty atoms inserted, replaced or appended at random places."""
    found = []
    for _ in range(count):
        at = rng.randint(0, len(text))
        atom = rng.choice(SEPARATORS + CONTROLS + BIDI)
        how = rng.random()
        if how < 0.5:
            found.append(text[:at] + atom + text[at:])
        elif how < 0.8:
            found.append(text[:at] + atom + text[at + 1 :])
        else:
            found.append(text + atom * rng.randint(1, 500))
    return found
