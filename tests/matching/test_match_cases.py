"""The matcher over the shared, labelled match cases (shared/match-cases.jsonl)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ytmusicapi.parsers.search import parse_search_results

from downloads.pipeline.match.evaluation import evaluate_file, evaluate_files
from downloads.pipeline.match.score import match
from downloads.pipeline.sources.ytmusic import parse_result
from downloads.pipeline.types import Candidate, TrackQuery

TRACK = {"name": "Hello", "artists": ["Adele"], "album": "25", "duration_ms": 295493}
RIGHT = {"id": "right", "title": "Hello", "channel": "Adele - Topic", "duration": 295,
         "views": 10, "kind": "song", "artists": ["Adele"], "album": "25"}  # fmt: skip
WRONG = {**RIGHT, "id": "wrong", "title": "Hello (Live)"}

ROOT = Path(__file__).resolve().parents[2]
# The shared folder sits beside the repository; SHARED_DIR points elsewhere (a worktree).
SHARED = Path(os.environ.get("SHARED_DIR") or ROOT.parent / "shared")
CASES = SHARED / "match-cases.jsonl"
OUR_CASES = sorted((ROOT / "tests" / "matching" / "cases").glob("*.jsonl"))


def test_matcher_gets_every_public_case_right_and_rarely_accepts_a_wrong_song() -> None:
    assert CASES.is_file(), (
        f"{CASES} is missing: the shared match cases live in shared/ beside the repository "
        "(set SHARED_DIR when it is elsewhere)"
    )
    assert OUR_CASES, "tests/matching/cases/*.jsonl is missing"
    outcomes, summary = evaluate_files([CASES, *OUR_CASES])
    misses = "\n".join(outcome.line() for outcome in outcomes if outcome.verdict != "ok")
    assert summary.accuracy >= 0.97, misses
    assert summary.false_accepts <= 1, misses


def test_the_repository_cases_cover_every_kind_of_rule_with_real_ids() -> None:
    cases = [json.loads(line) for path in OUR_CASES for line in path.read_text().splitlines()]
    kinds = {case["category"] for case in cases}
    assert len(cases) >= 40
    assert {"unofficial-last-resort", "version-one-side", "credits-differ", "isrc-tie"} <= kinds
    assert {"artist-names", "credit-split", "japanese-romaji"} <= kinds
    for case in cases:
        ids = {candidate["id"] for candidate in case["candidates"]}
        assert set(case["accept"]) <= ids, case["id"]


def test_evaluation_counts_each_kind_of_mistake(tmp_path: Path) -> None:
    cases = [
        {"id": "ok", "track": TRACK, "candidates": [RIGHT, WRONG], "accept": ["right"]},
        {"id": "false accept", "track": TRACK, "candidates": [RIGHT], "accept": []},
        {"id": "wrong decline", "track": TRACK, "candidates": [WRONG], "accept": ["wrong"]},
        {"id": "wrong pick", "track": TRACK, "candidates": [RIGHT, WRONG], "accept": ["wrong"]},
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(case) for case in cases) + "\n", encoding="utf-8")
    outcomes, summary = evaluate_file(path)
    assert [o.verdict for o in outcomes] == ["ok", "false_accept", "wrong_decline", "wrong_pick"]
    assert summary.to_dict() == {
        "cases": 4,
        "correct": 1,
        "accuracy": 0.25,
        "false_accepts": 1,
        "wrong_declines": 1,
        "wrong_picks": 1,
    }
    assert outcomes[0].line().startswith("ok  picked=right  expected=right  ok")


def _recorded(name: str) -> Any:
    path = SHARED / "recorded" / "ytmusic" / name
    assert path.is_file(), f"{path} is missing: the recorded answers live in shared/recorded"
    return json.loads(path.read_text(encoding="utf-8"))["response"]


def _recorded_candidates(name: str) -> list[Candidate]:
    """One recorded YouTube Music answer, parsed by ytmusicapi and our parser as in production."""
    response = _recorded(name)
    tabs = response["contents"]["tabbedSearchResultsRenderer"]["tabs"]
    shelves = tabs[0]["tabRenderer"]["content"]["sectionListRenderer"]["contents"]
    kind = "song" if "songs" in name else "video"
    items = [
        item
        for shelf in shelves
        if "musicShelfRenderer" in shelf
        for item in parse_search_results(shelf["musicShelfRenderer"]["contents"], kind, None)
    ]
    return [c for c in map(parse_result, items) if c is not None]


def test_the_recorded_spotify_track_is_declined_against_its_recorded_search() -> None:
    data = _recorded("spotify-track.json")
    query = TrackQuery(
        data["name"],
        tuple(a["name"] for a in data["artists"]),
        data["album"]["name"],
        data["duration_ms"],
        data["external_ids"]["isrc"],
        data["explicit"],
    )
    candidates = _recorded_candidates("search-songs.json") + _recorded_candidates(
        "search-videos.json"
    )
    result = match(query, candidates)
    assert len(candidates) == 21
    assert result.chosen is None, result.reason


def test_a_joined_german_credit_in_a_recorded_answer_is_the_tracks_two_artists() -> None:
    query = TrackQuery("Naar de Maan", ("Jush. Extra", "Zanger Jeppa"), "Naar de Maan", 222_310)
    result = match(query, _recorded_candidates("search-songs.json"))
    assert result.chosen is not None and result.chosen.id == "vsLyN9PIeLc", result.reason
