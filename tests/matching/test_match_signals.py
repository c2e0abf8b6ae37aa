"""The signals beside the title, each on its own: artists, duration, album and views, and the
value types they read."""

from __future__ import annotations

from downloads.pipeline.match.artists import ArtistKey, channel_is_artist, topic_owner
from downloads.pipeline.match.score import ACCEPT_SCORE
from downloads.pipeline.match.signals import SONG_DURATION_LIMIT_S, duration_limits
from downloads.pipeline.types import Candidate, TrackQuery
from tests.matching.candidates import picked, scored, topic, track, video

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
