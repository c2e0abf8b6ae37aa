"""Reading song titles: normalisation, featured artists, bracketed suffixes, transliteration."""

from __future__ import annotations

from downloads.pipeline.match.artists import ArtistKey
from downloads.pipeline.match.normalize import similarity, title_tokens, tokenize
from downloads.pipeline.match.titles import parse_candidate_title, parse_track_title
from tests.matching.candidates import picked, scored, topic, track, video

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
