"""Word lists and name builders, so generated music reads like real music."""

# ruff: noqa: SIM905  (word lists read best as one string each)

from __future__ import annotations

import random

ADJECTIVES = (
    "Golden Silver Broken Electric Midnight Velvet Hollow Crimson Silent Wild Neon Paper "
    "Glass Lonely Burning Frozen Distant Restless Gentle Bitter Sweet Faded Secret Endless "
    "Violet Northern Southern Lucky Quiet Heavy Little Blue Black White Scarlet Amber "
    "Wandering Sacred Lost Hidden Shining Falling Rising Drifting Strange Tender Savage Lazy "
    "Bright Dark Cold Warm Empty Holy Young Old Summer Winter Autumn Spring Ocean Desert "
    "Cosmic Static Analog"
).split()

NOUNS = (
    "Heart Fire River Moon Sun Star Dream Ghost Shadow Light City Road Rain Storm Ocean Sky "
    "Mirror Echo Garden Highway Signal Kingdom Island Wolf Raven Tiger Rose Diamond Thunder "
    "Heaven Harbor Horizon Lantern Machine Satellite Window Letter Promise Memory Silence "
    "Whisper Wave Tide Flame Ember Canyon Forest Mountain Valley Desert Comet Planet Orbit "
    "Station Parade Carnival Circus Engine Radio Telephone Postcard Season Weekend Morning "
    "Evening Midnight Summer Winter Love Youth Gold Silver Smoke Dust Honey Paradise"
).split()

PLURALS = (
    "Lovers Strangers Wolves Ravens Kings Queens Daughters Sons Saints Sinners Ghosts Giants "
    "Machines Rebels Dreamers Travelers Thieves Brothers Sisters Monarchs Pilots Sailors "
    "Comets Lanterns Engines Tigers Foxes Owls Horses Rivers Mountains Satellites"
).split()

VERBS = (
    "Run Fall Dance Breathe Wait Burn Shine Drive Hold Chase Follow Forget Remember Wake "
    "Dream Fly Stay Leave Call Kiss Break Carry Light Save Find Lose Feel Touch Sing Cry"
).split()

ADVERBS = ("Tonight Forever Again Alone Slowly Together Away Home Now Back Down Out").split()

FIRST_NAMES = (
    "Ava Liam Mia Noah Zoe Leo Nora Eli Iris Owen Luna Theo Maya Jonah Ella Felix Ruby Silas "
    "Clara Hugo Ines Mateo Yara Kenji Aiko Lars Freya Dario Amara Kofi Nadia Ravi Sana Tomas"
).split()

LAST_NAMES = (
    "Hart Rivers Stone Vale Monroe Blake Wilde Frost Lane Reyes Moreau Okafor Lindqvist Sato "
    "Novak Castillo Rossi Mbeki Dubois Kowalski Haddad Nakamura Fischer Oliveira Quinn Walsh"
).split()

INTERNATIONAL_ARTISTS = (
    "Sigur Rós Tribute",
    "Mañana Club",
    "Les Étoiles Filantes",
    "Björk Ensemble",
    "Dōmo Arigatō Band",
    "Zoë & the Äpfel",
    "Motörhead Revival",
    "Beyoncé Covers Collective",
)

GENRES = [
    "indie rock",
    "dream pop",
    "synthwave",
    "hip hop",
    "r&b",
    "folk",
    "jazz",
    "house",
    "techno",
    "soul",
    "punk",
    "metal",
    "country",
    "reggaeton",
    "k-pop",
    "ambient",
    "lo-fi",
    "disco",
    "funk",
    "blues",
    "afrobeats",
    "shoegaze",
]

MOODS = (
    "Chill Focus Workout Party Sleep Rainy Day Road Trip Late Night Sunday Morning Summer "
    "Throwback Deep Focus Feel Good Heartbreak Dinner Coffee Shop Beach Gym Study"
).split()

EMOJI = ("🔥", "🌙", "☀️", "🎧", "💿", "🌊", "🚗", "✨", "🖤", "🌵", "🎸", "🍂")

LABELS = ("Northern Lights Records", "Paper Moon Music", "Static Bloom", "Harbor Sound")


def artist_name(r: random.Random) -> str:
    roll = r.random()
    if roll < 0.35:
        return f"{r.choice(FIRST_NAMES)} {r.choice(LAST_NAMES)}"
    if roll < 0.6:
        return f"The {r.choice(ADJECTIVES)} {r.choice(PLURALS)}"
    if roll < 0.8:
        return f"{r.choice(ADJECTIVES)} {r.choice(NOUNS)}"
    if roll < 0.95:
        return f"{r.choice(NOUNS)}{r.choice(('', 's', ' Club', ' Society', ' Theory'))}"
    return r.choice(INTERNATIONAL_ARTISTS)


def track_name(r: random.Random) -> str:
    a, n, v = r.choice(ADJECTIVES), r.choice(NOUNS), r.choice(VERBS)
    pattern = r.randrange(11)
    # Only the chosen pattern is built: this runs once per generated track.
    if pattern == 0:
        return f"{n} of the {r.choice(NOUNS)}"
    if pattern == 1:
        return f"{v} Me {r.choice(ADVERBS)}"
    if pattern == 2:
        return f"Don't {v} {r.choice(ADVERBS)}"
    if pattern == 3:
        return f"{a} {n}s"
    if pattern == 4:
        return f"{v} {r.choice(ADVERBS)}"
    if pattern == 5:
        return f"The {n}"
    if pattern == 6:
        return n
    if pattern == 7:
        return f"{a} Like {r.choice(NOUNS)}"
    if pattern == 8:
        return f"When the {n} {v}s"
    if pattern == 9:
        return f"{n} ({a} Version)"
    return f"{a} {n}"


def album_name(r: random.Random, artist: str) -> str:
    roll = r.random()
    if roll < 0.1:
        return artist
    if roll < 0.2:
        return f"{r.choice(NOUNS)} {r.choice(('I', 'II', 'III'))}"
    if roll < 0.3:
        return f"{r.choice(ADJECTIVES)} {r.choice(NOUNS)} (Deluxe Edition)"
    return f"{r.choice(ADJECTIVES)} {r.choice(NOUNS)}{r.choice(('', 's'))}"


def playlist_name(r: random.Random) -> str:
    roll = r.random()
    if roll < 0.3:
        return f"{r.choice(MOODS)} {r.choice(('Vibes', 'Mix', 'Jams', 'Songs', 'Playlist'))}"
    if roll < 0.5:
        return f"{r.choice(GENRES).title()} {r.choice(('Essentials', 'Favourites', 'Deep Cuts'))}"
    if roll < 0.65:
        return f"{r.choice(MOODS)} {r.choice(EMOJI)}"
    if roll < 0.8:
        return f"{r.choice(ADJECTIVES)} {r.choice(NOUNS)}s"
    return f"{r.choice(('My', 'Best of', 'Summer', 'Old', 'New'))} {2010 + r.randrange(17)}"
