"""The reasons the matcher gives: short, readable, and true to what decided."""

from __future__ import annotations

import json

from downloads.pipeline.match.score import ACCEPT_SCORE, match
from downloads.pipeline.types import Candidate, TrackQuery

TRACK = TrackQuery("Fix You", ("Coldplay",), "X&Y", 295_533, None, False)


def song(cid: str, title: str, seconds: float, artist: str = "Coldplay") -> Candidate:
    return Candidate(
        cid, title, f"{artist} - Topic", seconds, 1000, "song", (artist,), "X&Y", False
    )


def clip(cid: str, title: str, channel: str, seconds: float) -> Candidate:
    return Candidate(cid, title, channel, seconds, 1000, "video")


def test_accepted_topic_upload_says_why_in_a_few_words() -> None:
    result = match(TRACK, [song("t", "Fix You", 295)])
    assert (
        result.reason == "Topic upload, duration within 1 s, artist match, title match, same album"
    )
    assert result.score >= ACCEPT_SCORE


def test_accepted_reason_names_a_small_duration_difference() -> None:
    result = match(TRACK, [clip("v", "Coldplay - Fix You (Official Audio)", "Coldplay", 299)])
    assert result.chosen is not None
    assert result.reason.startswith("official audio on the artist's channel, duration +3 s")


def test_decline_names_the_best_candidate_and_what_was_wrong() -> None:
    result = match(
        TRACK, [song("l", "Fix You (Live)", 339), song("b", "Fix You (Live in Buenos Aires)", 338)]
    )
    assert result.chosen is None
    assert result.reason == (
        "No candidate matched: best was 'Fix You (Live)' (Coldplay - Topic): "
        "live version; duration +43 s"
    )


def test_decline_without_candidates_says_so() -> None:
    result = match(TRACK, [])
    assert result.chosen is None
    assert result.reason == "No candidates to match"
    assert result.score == 0.0


def test_weak_best_is_declined_with_its_score() -> None:
    weak = clip("v", "Coldplay - Fix You (Official Video)", "Coldplay", 299.8)
    result = match(TRACK, [weak])
    assert result.chosen is None
    assert result.ranked[0].reason.startswith(f"score {result.score:.0f} < {ACCEPT_SCORE:.0f}: ")
    assert "music video on the artist's channel, duration +4 s" in result.reason


def test_other_artist_reason_names_them() -> None:
    result = match(TRACK, [song("o", "Fix You", 295, artist="Boyce Avenue")])
    assert result.ranked[0].reason == "different artist (Boyce Avenue)"


def test_every_failed_gate_is_listed() -> None:
    cover = clip("c", "Fix You (Coldplay) - Piano Cover", "Peter Buka", 297)
    late = clip("l", "Fix You (Coldplay) - Piano Cover", "Peter Buka", 320)
    assert match(TRACK, [cover]).ranked[0].gates == ("cover",)
    assert match(TRACK, [late]).ranked[0].gates == ("cover", "duration +24 s")


def test_ranked_holds_every_candidate_best_first() -> None:
    candidates = [
        song("live", "Fix You (Live)", 339),
        song("studio", "Fix You", 295),
        clip("lyrics", "Coldplay - Fix You (Lyrics)", "7clouds", 295),
    ]
    result = match(TRACK, candidates)
    assert result.ranked[0].candidate.id == "studio"
    assert {s.candidate.id for s in result.ranked} == {"live", "studio", "lyrics"}
    assert [s.accepted for s in result.ranked] == [True, True, False]
    assert [s.last_resort for s in result.ranked] == [False, True, False]


def test_result_stores_as_json() -> None:
    result = match(TRACK, [song("t", "Fix You", 295), song("l", "Fix You (Live)", 339)])
    stored = json.loads(json.dumps(result.to_dict()))
    assert stored["chosen"]["id"] == "t"
    assert stored["reason"] == result.reason
    assert [entry["candidate"]["id"] for entry in stored["ranked"]] == ["t", "l"]
    assert stored["ranked"][1] == {
        "candidate": stored["ranked"][1]["candidate"],
        "score": round(result.ranked[1].score, 1),
        "accepted": False,
        "reason": "live version; duration +43 s",
        "gates": ["live version", "duration +43 s"],
    }


def test_declined_result_stores_no_choice() -> None:
    stored = match(TRACK, [song("l", "Fix You (Live)", 339)]).to_dict()
    assert stored["chosen"] is None
    assert stored["reason"].startswith("No candidate matched: best was")
