"""Versions of a recording, both ways: live, remix, effects, covers, edits, explicit and clean."""

from __future__ import annotations

from tests.matching.candidates import picked, scored, topic, track, video

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
