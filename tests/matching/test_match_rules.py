"""Each rule of issue 19 on its own: what it decides, and the reason naming it."""

from __future__ import annotations

import asyncio
from typing import Any

from downloads.pipeline.match.artists import ArtistKey, check_credits, credit_parts
from downloads.pipeline.match.normalize import tokenize
from downloads.pipeline.match.score import match
from downloads.pipeline.match.transliterate import fold, japanese_readings
from downloads.pipeline.resolve import Resolver, SourceResult
from downloads.pipeline.sources import ytmusic
from downloads.pipeline.types import Candidate, TrackQuery


def track(name: str, artists: tuple[str, ...], seconds: float, album: str = "Album") -> TrackQuery:
    return TrackQuery(name, artists, album, int(seconds * 1000), None, False)


def song(
    cid: str,
    title: str,
    artists: tuple[str, ...],
    seconds: float,
    *,
    isrc: bool = False,
    channel: str | None = None,
) -> Candidate:
    return Candidate(
        id=cid,
        title=title,
        channel=channel or f"{artists[0]} - Topic",
        duration=seconds,
        views=1000,
        kind="song",
        artists=artists,
        album="Album",
        explicit=False,
        from_isrc=isrc,
    )


def video(cid: str, title: str, channel: str, seconds: float, views: int = 1000) -> Candidate:
    return Candidate(cid, title, channel, seconds, views, "video")


def chosen(query: TrackQuery, *candidates: Candidate) -> str | None:
    result = match(query, candidates)
    return result.chosen.id if result.chosen else None


# 1. Unofficial uploads are a last resort

SONG = track("Dudu", ("Tarkan",), 268.2)
LYRICS = video("lyrics", "Tarkan - Dudu (Lyrics)", "Turkish Lyrics Hub", 268, views=10**8)


def test_a_lyric_upload_is_accepted_when_no_official_upload_matched() -> None:
    result = match(SONG, [LYRICS, video("live", "Tarkan - Dudu (Live)", "TV", 300)])
    assert result.chosen == LYRICS
    assert result.reason.startswith("unofficial upload accepted: no official upload matched; ")


def test_an_official_upload_wins_over_a_lyric_upload_with_more_views() -> None:
    topic = song("topic", "Dudu", ("Tarkan",), 268)
    assert chosen(SONG, LYRICS, topic) == "topic"


def test_a_last_resort_scores_lower_than_the_same_upload_on_the_artists_channel() -> None:
    own = video("own", "Tarkan - Dudu", "Tarkan", 268)
    assert match(SONG, [LYRICS]).score < match(SONG, [own]).score


def test_a_lyric_upload_a_few_seconds_off_is_not_plainly_the_same_recording() -> None:
    late = video("late", "Tarkan - Dudu (Lyrics)", "Turkish Lyrics Hub", 272)
    result = match(SONG, [late])
    assert result.chosen is None
    assert "not plainly the same recording" in result.reason


def test_a_lyric_title_naming_the_album_is_still_plainly_the_same_recording() -> None:
    query = track("Tum Hi Ho", ("Arijit Singh",), 262.0, album="Aashiqui 2")
    lyrics = video("l", "Tum Hi Ho Lyrics | Aashiqui 2 | Arijit Singh", "Film Lyrics", 262)
    assert chosen(query, lyrics) == "l"


def test_a_lyric_upload_naming_another_artist_is_no_last_resort() -> None:
    feat = video("feat", "Tarkan - Dudu ft. Someone Else (Lyrics)", "Lyrics Hub", 268)
    assert chosen(SONG, feat) is None


# 2. A version named on one side only


def test_a_named_version_on_the_upload_only_is_another_recording() -> None:
    query = track("Kaikai Kitan", ("Eve",), 221.2)
    band = song("band", "Kaikai Kitan (Band Ver.)", ("Eve",), 221)
    result = match(query, [band])
    assert result.chosen is None
    assert "different version (Band Ver.)" in result.reason
    bare = match(query, [song("bare", "Kaikai Kitan Band Ver.", ("Eve",), 221)])
    assert "different version: the upload is 'band version', the track is not" in bare.reason


def test_a_named_version_on_the_track_only_is_not_met_by_the_plain_song() -> None:
    query = track("Kaikai Kitan - Band Ver.", ("Eve",), 221.2)
    assert chosen(query, song("plain", "Kaikai Kitan", ("Eve",), 221)) is None
    assert chosen(query, song("band", "Kaikai Kitan (Band Version)", ("Eve",), 221)) == "band"


def test_an_unbracketed_version_and_a_mix_are_recognised() -> None:
    query = track("Lemon", ("Kenshi Yonezu",), 255.8)
    assert chosen(query, song("o", "Lemon Orchestra Ver.", ("Kenshi Yonezu",), 256)) is None
    assert chosen(query, song("m", "Lemon - Stereo Mix", ("Kenshi Yonezu",), 256)) is None


def test_japanese_and_korean_version_markers_are_version_markers() -> None:
    japanese = track("夜に駆ける", ("YOASOBI",), 261.2)
    korean = track("밤편지", ("IU",), 253.5)
    assert chosen(japanese, song("p", "夜に駆ける (ピアノバージョン)", ("YOASOBI",), 261)) is None
    assert chosen(korean, song("p", "밤편지 (피아노 버전)", ("IU",), 254)) is None


def test_words_naming_the_ordinary_release_are_not_a_version() -> None:
    query = track("Lemon", ("Kenshi Yonezu",), 255.8)
    album = song("album", "Lemon (Album Version)", ("Kenshi Yonezu",), 256)
    assert chosen(query, album) == "album"


# 3. Credits that differ


def test_an_upload_adding_a_featured_artist_is_another_recording() -> None:
    query = track("Say So", ("Doja Cat",), 237.9)
    feat = video("feat", "Doja Cat - Say So ft. Nicki Minaj", "Doja Cat", 238)
    result = match(query, [feat])
    assert result.chosen is None
    assert "different credits: the upload adds a featured artist (nicki minaj)" in result.reason


def test_a_song_lacking_one_of_the_tracks_artists_is_another_recording() -> None:
    query = track("Perfect", ("Ed Sheeran", "Beyoncé"), 259.7)
    result = match(query, [song("solo", "Perfect", ("Ed Sheeran",), 260)])
    assert result.chosen is None
    assert "different credits: the upload lacks Beyoncé" in result.reason


def test_credits_in_any_order_and_spelling_are_the_same_credits() -> None:
    query = track("Déjà Vu", ("Beyoncé", "JAY-Z"), 240.1)
    assert chosen(query, song("t", "Deja Vu", ("JAY Z", "Beyonce"), 240)) == "t"


def test_a_guest_named_only_in_spotifys_title_is_no_extra_artist() -> None:
    query = track("Hymn (feat. Guest Singer)", ("Band",), 200.0)
    assert chosen(query, song("t", "Hymn (feat. Guest Singer)", ("Band", "Guest Singer"), 200))


# 4. ISRC-search hits win ties


def test_an_isrc_hit_wins_a_tie_with_a_more_viewed_twin() -> None:
    query = track("Blinding Lights", ("The Weeknd",), 200.0)
    twin = song("twin", "Blinding Lights", ("The Weeknd",), 200)
    hit = song("hit", "Blinding Lights", ("The Weeknd",), 201, isrc=True)
    result = match(query, [twin, hit])
    assert result.chosen == hit
    assert result.reason.startswith("ISRC search hit preferred among equals: ")


def test_an_isrc_hit_failing_a_gate_is_not_chosen() -> None:
    query = track("Blinding Lights", ("The Weeknd",), 200.0)
    live = song("live", "Blinding Lights (Live)", ("The Weeknd",), 200, isrc=True)
    assert chosen(query, live, song("plain", "Blinding Lights", ("The Weeknd",), 200)) == "plain"


# 5. The Topic channel is evidence, never a gate on its own


def test_a_topic_channel_named_after_the_composer_does_not_reject_the_performer() -> None:
    query = track("Clair de lune", ("Seong-Jin Cho",), 327.4)
    inferred = song("r", "Clair de lune", ("Claude Debussy", "Seong-Jin Cho"), 327)
    assert inferred.channel == "Claude Debussy - Topic"
    assert chosen(query, inferred) is None  # Debussy is credited, Spotify did not: other credits
    query = track("Clair de lune", ("Claude Debussy", "Seong-Jin Cho"), 327.4)
    assert chosen(query, inferred) == "r"


def test_a_topic_channel_named_in_another_script_does_not_reject_the_song() -> None:
    query = track("Blueming", ("IU",), 217.1)
    native = song("n", "Blueming", ("IU",), 217, channel="아이유 - Topic")
    assert chosen(query, native) == "n"


def test_joined_credits_split_into_the_tracks_artists() -> None:
    artists = [ArtistKey.of("Rosalía"), ArtistKey.of("J Balvin")]
    for credit in ("ROSALÍA y J Balvin", "Rosalia & J Balvin", "Rosalía und J Balvin"):
        assert check_credits([credit], artists).found == {0, 1}, credit
    assert credit_parts("周杰倫 - Jay Chou") == ("周杰倫", "Jay Chou")


def test_a_name_with_an_ampersand_of_its_own_stays_whole() -> None:
    artists = [ArtistKey.of("Simon & Garfunkel")]
    assert check_credits(["Simon & Garfunkel"], artists).found == {0}


def test_the_and_diacritics_do_not_separate_names() -> None:
    assert ArtistKey.of("The Killers").same_as("Killers")
    assert ArtistKey.of("Killers").same_as("The Killers")
    assert ArtistKey.of("Beyoncé").same_as("BEYONCE")


def test_a_credit_in_another_script_is_trusted_only_at_the_exact_length() -> None:
    query = track("Tel Aviv", ("Omer Adam",), 201.6)
    exact = song("exact", "Tel Aviv", ("עומר אדם",), 202)
    off = song("off", "Tel Aviv", ("עומר אדם",), 205)
    assert chosen(query, exact) == "exact"
    assert chosen(query, off) is None


# 6. Japanese text reads as Japanese


def test_japanese_titles_romanise_with_japanese_readings() -> None:
    assert tokenize("夜に駆ける") == ("yoru", "ni", "kakeru")
    assert "".join(tokenize("うっせぇわ")) == "usseewa"


def test_han_only_text_is_japanese_only_when_the_match_is() -> None:
    assert fold("新時代").split() != ["shinjidai"]
    with japanese_readings(True):
        assert fold("新時代").split() == ["shinjidai"]


def test_a_kanji_only_title_meets_a_romaji_or_a_pinyin_upload() -> None:
    japanese = track("新時代", ("Ado",), 229.3)
    chinese = track("晴天", ("Jay Chou",), 269.2)
    assert chosen(japanese, song("r", "Shin Jidai", ("Ado",), 229)) == "r"
    assert chosen(chinese, song("p", "Qing Tian", ("Jay Chou",), 269)) == "p"


def test_a_kana_title_meets_its_romaji_upload() -> None:
    query = track("ひまわりの約束", ("Motohiro Hata",), 315.1)
    romaji = song("r", "Himawari no Yakusoku", ("Motohiro Hata",), 315)
    assert chosen(query, romaji) == "r"


# The ISRC mark, set where the searches answer


def test_the_youtube_music_source_marks_what_the_isrc_search_returned() -> None:
    item: dict[str, Any] = {
        "resultType": "song",
        "videoId": "ZrOKjDZOtkA",
        "title": "Wonderwall",
        "artists": [{"name": "Oasis"}],
        "duration_seconds": 258,
    }
    other = {**item, "videoId": "bx1Bh8ZvH84"}

    class RecordedYTMusic:
        def search(self, query: str, filter: str, limit: int) -> list[dict[str, Any]]:
            return [item] if query.startswith("GB") else [other, item]

    source = ytmusic.YouTubeMusicSource(client_factory=RecordedYTMusic)
    query = TrackQuery("Wonderwall", ("Oasis",), "", 258_000, "GBAJE9500107")

    async def answer() -> SourceResult:
        return await anext(Resolver([source], limit=5).attempts(query))

    found = asyncio.run(answer()).candidates
    assert [(c.id, c.from_isrc) for c in found] == [("ZrOKjDZOtkA", True), ("bx1Bh8ZvH84", False)]


def test_a_track_artist_whose_name_holds_a_join_word_is_taken_out_whole() -> None:
    artists = [ArtistKey.of("Florence + the Machine"), ArtistKey.of("Kendrick Lamar")]
    credits = check_credits(["Florence + the Machine & Kendrick Lamar"], artists)
    assert credits.found == {0, 1}
    assert credits.extras == ()
    solo = check_credits(["SCR und DJ Erex"], [ArtistKey.of("SCR")])
    assert solo.extras == ("DJ Erex",)


def test_a_radio_version_on_the_track_still_meets_a_plain_upload_as_radio_edits_do() -> None:
    query = track("Wake Me Up - Radio Version", ("DJ",), 247.0)
    assert chosen(query, song("plain", "Wake Me Up", ("DJ",), 247)) == "plain"
