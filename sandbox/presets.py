"""Who lives in the sandbox, per preset: tiny (unit tests), demo (a person clicking), bench."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.models import UserSpec

ANA = UserSpec(
    "ana",
    "Ana Edge",
    liked=70,
    albums=5,
    playlists=3,
    playlist_size=(5, 25),
    followed_artists=8,
    top=12,
    edge_cases=True,
    follows=("ben",),
    collaborates=("ben",),
    persona="Small library full of edge cases: RTL and emoji names, local files, podcasts.",
)
BEN = UserSpec(
    "ben",
    "Ben Small",
    liked=25,
    albums=2,
    playlists=3,
    playlist_size=(5, 15),
    followed_artists=3,
    top=10,
    follows=("ana",),
    persona="A tidy small library; owns the playlists Ana follows and collaborates on.",
)
CLEO = UserSpec(
    "cleo",
    "Cleo Empty",
    liked=0,
    albums=0,
    playlists=0,
    followed_artists=0,
    recent=0,
    top=0,
    persona="Brand-new account: nothing saved, nothing played.",
)
MARCO = UserSpec(
    "marco",
    "Marco Medium",
    liked=1200,
    albums=40,
    playlists=25,
    playlist_size=(20, 120),
    followed_artists=40,
    top=50,
    follows=("ben",),
    persona="A typical listener: a thousand liked songs, two dozen playlists.",
)
HUGO = UserSpec(
    "hugo",
    "Hugo Huge",
    liked=10_000,
    albums=300,
    playlists=200,
    playlist_size=(20, 300),
    followed_artists=150,
    top=50,
    follows=("marco",),
    persona="Benchmark account: 10,000 liked songs and 200 playlists.",
)


@dataclass(frozen=True)
class Preset:
    users: tuple[UserSpec, ...]
    artist_pool: int  # distinct catalog artists users draw from


PRESETS: dict[str, Preset] = {
    "tiny": Preset((ANA, BEN, CLEO), artist_pool=300),
    "demo": Preset((ANA, BEN, MARCO, CLEO), artist_pool=2_000),
    "bench": Preset((ANA, BEN, MARCO, HUGO, CLEO), artist_pool=8_000),
}
