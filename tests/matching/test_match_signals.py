"""Each matching signal on its own: normalisation, artists, duration, versions, explicit, views."""

from __future__ import annotations

from downloads.pipeline.match.artists import ArtistKey, channel_is_artist, topic_owner
from downloads.pipeline.match.normalize import similarity, title_tokens, tokenize
from downloads.pipeline.match.score import ACCEPT_SCORE, ScoredCandidate, match
from downloads.pipeline.match.signals import SONG_DURATION_LIMIT_S, duration_limits
from downloads.pipeline.match.titles import parse_candidate_title, parse_track_title
from downloads.pipeline.types import Candidate, CandidateKind, TrackQuery


def track(
    name: str = "Rolling in the Deep",
    artists: tuple[str, ...] = ("Adele",),
    seconds: float = 228.1,
    album: str = "21",
    explicit: bool | None = False,
) -> TrackQuery:
    return TrackQuery(name, artists, album, int(seconds * 1000), None, explicit)


def topic(
    title: str = "Rolling in the Deep",
    artist: str = "Adele",
    seconds: float = 228,
    *,
    candidate_id: str = "topic",
    artists: tuple[str, ...] | None = None,
    album: str | None = "21",
    explicit: bool | None = False,
    views: int = 1_000_000,
) -> Candidate:
    return Candidate(
        id=candidate_id,
        title=title,
        channel=f"{artist} - Topic",
        duration=seconds,
        views=views,
        kind="song",
        artists=artists or (artist,),
        album=album,
        explicit=explicit,
    )


def video(
    title: str,
    channel: str,
    seconds: float = 228,
    *,
    candidate_id: str = "video",
    views: int = 1_000_000,
    kind: CandidateKind = "video",
) -> Candidate:
    return Candidate(candidate_id, title, channel, seconds, views, kind)


def scored(query: TrackQuery, candidate: Candidate) -> ScoredCandidate:
    return match(query, [candidate]).ranked[0]


def picked(query: TrackQuery, *candidates: Candidate) -> str | None:
    chosen = match(query, candidates).chosen
    return chosen.id if chosen else None


# Normalisation


def test_case_accents_and_punctuation_do_not_matter() -> None:
    assert tokenize("SEÑORITA!") == tokenize("senorita")
    assert tokenize("Can\N{RIGHT SINGLE QUOTATION MARK}t Help Falling in Love") == tokenize(
        "Cant help falling in love"
    )


def test_dotted_names_fold_to_one_word() -> None:
    assert tokenize("t.A.T.u.") == ("tatu",)


def test_emoji_disappear_instead_of_being_spelt_out() -> None:
    assert tokenize("Someone You Loved 🎵❤️") == ("someone", "you", "loved")


def test_punctuation_only_title_keeps_itself_as_a_token() -> None:
    assert title_tokens("!!!!!!!") == ("!!!!!!!",)
    assert (
        picked(
            track("!!!!!!!", ("Billie Eilish",), 13.6, "WWAFAWDWG"),
            video("Billie Eilish - bad guy", "Billie Eilish", 194, candidate_id="bad guy"),
            video("Billie Eilish - !!!!!!! (Audio)", "Billie Eilish", 14, candidate_id="right"),
        )
        == "right"
    )


def test_remaster_spellings_meet() -> None:
    assert set(tokenize("2011 Remaster")) == set(tokenize("Remastered 2011"))


# feat. / ft. / with


def test_feat_is_stripped_from_the_spotify_title() -> None:
    parsed = parse_track_title("Old Town Road (feat. Billy Ray Cyrus) - Remix")
    assert parsed.core == ("old", "town", "road")
    assert parsed.featured == (("billy", "ray", "cyrus"),)
    assert [q.raw for q in parsed.qualifiers] == ["Remix"]


def test_inline_ft_and_bracketed_with_are_stripped_from_candidates() -> None:
    query = parse_track_title("Old Town Road")
    artists = [ArtistKey.of("Lil Nas X")]
    inline = parse_candidate_title(
        "Lil Nas X - Old Town Road (Official Movie) ft. Billy Ray Cyrus", query, artists, False
    )
    bracket = parse_candidate_title("Old Town Road (with Billy Ray Cyrus)", query, artists, False)
    assert inline.core == bracket.core == ("old", "town", "road")
    assert inline.featured == bracket.featured == (("billy", "ray", "cyrus"),)


def test_featured_artist_named_in_title_counts_as_artist_evidence() -> None:
    query = track("Stay", ("Rihanna", "Mikky Ekko"), 240.7)
    result = scored(query, video("Rihanna - Stay ft. Mikky Ekko (Audio)", "RihannaVEVO", 241))
    assert result.accepted
    assert "artist match" in result.reason


# Bracketed and trailing suffixes


def test_upload_annotations_are_not_part_of_the_song_name() -> None:
    query = parse_track_title("Hello")
    artists = [ArtistKey.of("Adele")]
    for title in (
        "Adele - Hello (Official Music Video)",
        "Adele - Hello [HD]",
        "Hello | Lyrics | Adele",
        "Hello - Adele (Lyrics) 🎶",
        "Adele - Hello (Official Audio)",
        "Hello Official Video",
    ):
        parsed = parse_candidate_title(title, query, artists, False)
        assert parsed.core == ("hello",), title
        assert parsed.qualifiers == (), title


def test_annotations_tell_audio_from_video_and_lyrics() -> None:
    query = parse_track_title("Hello")
    artists = [ArtistKey.of("Adele")]
    flags = parse_candidate_title("Adele - Hello (Official Audio)", query, artists, False).flags
    assert {"audio", "official"} <= flags
    lyric = parse_candidate_title("Adele - Hello (Lyrics)", query, artists, False).flags
    assert "lyrics" in lyric


def test_spotify_remaster_suffix_matches_the_bracketed_topic_title() -> None:
    query = track("Bohemian Rhapsody - Remastered 2011", ("Queen",), 354.3, "ANATO")
    result = scored(query, topic("Bohemian Rhapsody (Remastered 2011)", "Queen", 355))
    assert result.accepted
    assert "title match" in result.reason


def test_missing_remaster_suffix_only_costs_points() -> None:
    query = track("Bohemian Rhapsody - Remastered 2011", ("Queen",), 354.3, "ANATO")
    exact = scored(query, topic("Bohemian Rhapsody (Remastered 2011)", "Queen", 355))
    plain = scored(query, topic("Bohemian Rhapsody", "Queen", 355))
    assert plain.accepted
    assert plain.score < exact.score


def test_different_mix_year_is_another_version() -> None:
    query = track("Here Comes The Sun - Remastered 2009", ("The Beatles",), 185.7)
    result = scored(query, topic("Here Comes The Sun (2019 Mix)", "The Beatles", 186))
    assert not result.accepted
    assert "different version (2019 Mix)" in result.reason


def test_named_version_in_candidate_is_rejected_for_plain_track() -> None:
    query = track("Love Story", ("Taylor Swift",), 235.3)
    result = scored(query, topic("Love Story (Taylor's Version)", "Taylor Swift", 236))
    assert not result.accepted


def test_named_version_of_the_track_is_required_of_the_candidate() -> None:
    query = track("Bailando - Spanish Version", ("Enrique Iglesias",), 243.1)
    english = topic("Bailando (English Version)", "Enrique Iglesias", 244, candidate_id="en")
    spanish = topic("Bailando (Spanish Version)", "Enrique Iglesias", 243, candidate_id="es")
    assert picked(query, english, spanish) == "es"
    assert picked(query, english) is None


def test_extra_words_in_the_song_name_make_another_song() -> None:
    query = track("Perfect", ("Ed Sheeran",), 263.4)
    result = scored(query, topic("Perfect Duet (with Beyoncé)", "Ed Sheeran", 263))
    assert not result.accepted
    assert "different title 'Perfect Duet'" in result.reason


def test_different_part_numbers_are_rejected() -> None:
    query = track("Shine On You Crazy Diamond (Pts. 1-5)", ("Pink Floyd",), 811)
    result = scored(query, topic("Shine On You Crazy Diamond (Pts. 6-9)", "Pink Floyd", 811))
    assert "different part" in result.reason


# Transliteration


def test_cyrillic_title_matches_its_romanisation() -> None:
    cyrillic = tokenize("Нас не догонят")  # noqa: RUF001
    assert similarity(cyrillic, tokenize("Nas Ne Dogonyat")) > 0.9


def test_hangul_title_is_transliterated_consistently() -> None:
    assert tokenize("밤편지") == tokenize("밤편지 ")
    assert tokenize("밤편지")[0].isascii()


def test_latin_translation_in_brackets_is_ignored_for_a_non_latin_track() -> None:
    query = track("밤편지", ("IU",), 253.8, "Palette")
    result = scored(query, topic("밤편지 (Through the Night)", "IU", 254, album="Palette"))
    assert result.accepted
    assert "title match" in result.reason


def test_bracketed_song_name_in_another_script_is_found() -> None:
    query = track("Through the Night", ("IU",), 253.8, "Palette")
    assert scored(query, topic("밤편지 (Through the Night)", "IU", 254, album="Palette")).accepted


def test_translated_english_version_is_another_song() -> None:
    query = track("Нас не догонят", ("t.A.T.u.",), 264.9, "200 по встречной")  # noqa: RUF001
    result = scored(query, topic("Not Gonna Get Us", "t.A.T.u.", 263))
    assert not result.accepted


# Artists: Topic, VEVO, channel and title


def test_topic_channel_names_its_artist() -> None:
    assert topic_owner("Adele - Topic") == "Adele"
    assert topic_owner("Adele") is None


def test_vevo_official_and_joined_channel_names_are_the_artist() -> None:
    assert channel_is_artist("KendrickLamarVEVO", ArtistKey.of("Kendrick Lamar"))
    assert channel_is_artist("ImagineDragons", ArtistKey.of("Imagine Dragons"))
    assert channel_is_artist("Queen Official", ArtistKey.of("Queen"))
    assert channel_is_artist("Ayase / YOASOBI", ArtistKey.of("YOASOBI"))
    assert channel_is_artist("TheWeekndVEVO", ArtistKey.of("The Weeknd"))
    assert not channel_is_artist("7clouds", ArtistKey.of("Adele"))


def test_topic_song_credited_to_another_artist_is_rejected() -> None:
    result = scored(track("Hello", seconds=295.5), topic("Hello", "Lionel Richie", 295))
    assert not result.accepted
    assert "different artist (Lionel Richie)" in result.reason


def test_other_performer_of_the_same_classical_piece_is_rejected() -> None:
    query = track("Clair de lune", ("Claude Debussy", "Seong-Jin Cho"), 327.4, "Debussy")
    other = topic("Clair de lune", "Lang Lang", 327, artists=("Claude Debussy", "Lang Lang"))
    assert not scored(query, other).accepted


def test_video_credited_to_another_artist_is_rejected() -> None:
    query = track("Hurt", ("Nine Inch Nails",), 373.5)
    result = scored(query, video("Johnny Cash - Hurt (Official Music Video)", "Johnny Cash", 373))
    assert "credited to Johnny Cash" in result.reason


def test_artist_named_in_a_lyric_title_is_found_but_the_upload_is_only_a_last_resort() -> None:
    result = scored(track(), video("Adele - Rolling in the Deep (Lyrics)", "7clouds", 228))
    assert result.accepted and result.last_resort
    assert result.reason.startswith("unofficial upload (7clouds)")


def test_official_upload_on_a_label_channel_is_acceptable() -> None:
    candidate = video("Adele - Rolling in the Deep (Official Audio)", "XL Recordings", 228)
    assert scored(track(), candidate).accepted


def test_artist_channel_upload_is_acceptable_without_annotations() -> None:
    assert scored(track(), video("Adele - Rolling in the Deep", "Adele", 228)).accepted


def test_extra_credited_artist_makes_another_recording() -> None:
    query = track("Believer", ("Imagine Dragons",), 204.3, "Evolve")
    plain = scored(query, topic("Believer", "Imagine Dragons", 204, album="Evolve"))
    feat = scored(
        query,
        topic(
            "Believer",
            "Imagine Dragons",
            204,
            artists=("Imagine Dragons", "Lil Wayne"),
            album="Evolve",
        ),
    )
    assert plain.accepted and not feat.accepted
    assert "different credits: the upload adds an artist (Lil Wayne)" in feat.reason


# Duration


def test_rounded_duration_gets_full_credit() -> None:
    assert duration_limits(228.1, "song")[0] >= 1.0
    assert scored(track(), topic(seconds=229)).accepted


def test_song_tens_of_seconds_off_is_rejected() -> None:
    result = scored(track(), topic(seconds=262))
    assert result.gates == ("duration +34 s",)


def test_song_a_few_seconds_past_the_limit_is_rejected() -> None:
    result = scored(track(), topic(seconds=228.1 + SONG_DURATION_LIMIT_S + 1))
    assert not result.accepted


def test_video_with_an_intro_is_rejected() -> None:
    candidate = video("Adele - Rolling in the Deep (Official Music Video)", "Adele", 234)
    assert not scored(track(), candidate).accepted


def test_short_track_uses_relative_tolerance() -> None:
    query = track("Her Majesty - Remastered 2009", ("The Beatles",), 25.7)
    assert duration_limits(25.7, "song")[1] < 3
    assert not scored(query, topic("Her Majesty (Remastered 2009)", "The Beatles", 23)).accepted
    assert scored(query, topic("Her Majesty (Remastered 2009)", "The Beatles", 26)).accepted


def test_closer_duration_wins_between_equal_uploads() -> None:
    query = track("Symphony No. 5: I. Allegro con brio", ("Berliner Philharmoniker",), 442.8)
    near = topic(
        "Symphony No. 5: I. Allegro con brio", "Berliner Philharmoniker", 443, candidate_id="near"
    )
    off = topic(
        "Symphony No. 5: I. Allegro con brio", "Berliner Philharmoniker", 440, candidate_id="off"
    )
    assert picked(query, off, near) == "near"


# Version words, both ways


def test_live_candidate_is_rejected_for_studio_track() -> None:
    result = scored(track(), topic("Rolling in the Deep (Live at the Royal Albert Hall)"))
    assert "live version" in result.gates


def test_studio_candidate_is_rejected_for_live_track() -> None:
    query = track("Hurt - Live", ("Nine Inch Nails",), 401)
    result = scored(query, topic("Hurt", "Nine Inch Nails", 401))
    assert "track is live, this is not" in result.gates


def test_live_candidate_is_accepted_for_live_track() -> None:
    query = track("Tears in Heaven - Acoustic; Live at MTV Unplugged", ("Eric Clapton",), 276.6)
    assert scored(query, topic("Tears in Heaven (Acoustic Live)", "Eric Clapton", 277)).accepted


def test_remix_candidate_is_rejected_for_original_track() -> None:
    result = scored(track(), topic("Rolling in the Deep (Jamie xx Shuffle)  [Remix]"))
    assert "remix" in result.gates


def test_original_candidate_is_rejected_for_remix_track() -> None:
    query = track("Old Town Road (feat. Billy Ray Cyrus) - Remix", ("Lil Nas X",), 157)
    result = scored(query, topic("Old Town Road", "Lil Nas X", 157))
    assert "track is remix, this is not" in result.gates


def test_word_live_inside_the_song_name_is_not_a_version() -> None:
    query = track("Live Forever", ("Oasis",), 276.3, "Definitely Maybe")
    assert scored(query, topic("Live Forever", "Oasis", 276, album="Definitely Maybe")).accepted


def test_speed_and_effect_variants_are_rejected() -> None:
    for title in (
        "Adele - Rolling in the Deep (Sped Up)",
        "Adele - Rolling in the Deep (slowed + reverb)",
        "Nightcore - Rolling in the Deep",
        "Adele - Rolling in the Deep (8D AUDIO)",
    ):
        assert not scored(track(), video(title, "Adele")).accepted, title


def test_channel_name_reveals_a_nightcore_upload() -> None:
    candidate = video("Rolling in the Deep (Official Audio)", "Nightcore Reality")
    assert "nightcore version" in scored(track(), candidate).gates


def test_karaoke_instrumental_and_cover_uploads_are_rejected() -> None:
    for title, channel in (
        ("Rolling in the Deep (Karaoke Version)", "Sing King"),
        ("Adele - Rolling in the Deep (Instrumental)", "Adele"),
        ("Rolling in the Deep (Inst.)", "Adele"),
        ("Rolling in the Deep - Adele (Cover by Someone)", "Someone"),
        ("Rolling in the Deep (Originally Performed by Adele) [Official Audio]", "Karaoke Label"),
    ):
        assert not scored(track(), video(title, channel)).accepted, title


def test_japanese_cover_marker_is_recognised() -> None:
    query = track("夜に駆ける", ("YOASOBI",), 261, "THE BOOK")
    result = scored(query, video("夜に駆ける / YOASOBI 【歌ってみた】", "Uta ch.", 261))
    assert "cover" in result.gates


def test_cover_on_the_artists_own_channel_is_their_recording() -> None:
    query = track("Hurt", ("Boyce Avenue",), 262)
    assert scored(query, video("Hurt (Cover) - Official Audio", "Boyce Avenue", 262)).accepted


def test_edit_added_by_the_candidate_is_rejected() -> None:
    query = track("Shine On You Crazy Diamond", ("Pink Floyd",), 811)
    result = scored(query, video("Pink Floyd - Shine On You Crazy Diamond (Re-Edit)", "Pink Floyd"))
    assert "edited version" in result.reason


# Explicit and clean


def test_clean_upload_is_rejected_for_explicit_track() -> None:
    query = track("HUMBLE.", ("Kendrick Lamar",), 177, "DAMN.", explicit=True)
    assert not scored(query, topic("HUMBLE.", "Kendrick Lamar", 177, explicit=False)).accepted
    titled = video("Kendrick Lamar - HUMBLE. (Clean)", "Kendrick Lamar", 177)
    assert "clean edit of an explicit track" in scored(query, titled).gates


def test_explicit_upload_is_rejected_for_clean_track() -> None:
    query = track("Without Me", ("Eminem",), 290.3, "The Eminem Show (Edited)", explicit=False)
    result = scored(query, topic("Without Me", "Eminem", 290, explicit=True))
    assert "explicit version of a clean track" in result.gates


def test_explicit_flag_picks_between_identical_topic_uploads() -> None:
    query = track("HUMBLE.", ("Kendrick Lamar",), 177, "DAMN.", explicit=True)
    clean = topic("HUMBLE.", "Kendrick Lamar", 177, candidate_id="clean", views=10**9)
    dirty = topic("HUMBLE.", "Kendrick Lamar", 177, candidate_id="explicit", explicit=True)
    assert picked(query, clean, dirty) == "explicit"


# Album and views


def test_album_breaks_a_tie_between_identical_uploads() -> None:
    deluxe = topic(candidate_id="deluxe", album="21 (Deluxe)", views=10**6)
    same = topic(candidate_id="same", album="21", views=10**6)
    assert picked(track(), deluxe, same) == "same"


def test_views_break_a_tie_between_identical_uploads() -> None:
    few = topic(candidate_id="few", views=1_000)
    many = topic(candidate_id="many", views=500_000_000)
    assert picked(track(), few, many) == "many"


def test_views_never_outweigh_a_closer_duration() -> None:
    query = track(seconds=228.1)
    famous = video(
        "Adele - Rolling in the Deep", "Adele", 232, candidate_id="famous", views=3 * 10**9
    )
    exact = video("Adele - Rolling in the Deep", "Adele", 228, candidate_id="exact", views=10)
    assert picked(query, famous, exact) == "exact"


def test_views_alone_never_make_a_candidate_acceptable() -> None:
    query = track(seconds=228.1)
    weak = video("Adele - Rolling in the Deep (Official Music Video)", "Adele", 232, views=10**10)
    result = scored(query, weak)
    assert result.score < ACCEPT_SCORE + 10


def test_plain_title_from_a_live_album_is_rejected() -> None:
    candidate = topic(album="Live at the Royal Albert Hall")
    assert "from a live album (Live at the Royal Albert Hall)" in scored(track(), candidate).gates


# Value types


def test_types_read_the_match_case_shape() -> None:
    query = TrackQuery.from_dict(
        {"name": "Hello", "artists": ["Adele"], "album": "25", "duration_ms": 295493,
         "isrc": None, "explicit": False}
    )  # fmt: skip
    candidate = Candidate.from_dict(
        {"id": "x", "title": "Hello", "channel": "Adele - Topic", "duration": 295,
         "views": 10, "kind": "song", "artists": ["Adele"], "album": "25", "explicit": None}
    )  # fmt: skip
    assert query.artists == ("Adele",)
    assert query.duration_s == 295.493
    assert candidate.artists == ("Adele",)
    assert candidate.url is None
    assert candidate.source == ""
