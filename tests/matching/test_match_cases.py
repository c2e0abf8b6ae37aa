"""The matcher over the shared, labelled match cases (shared/match-cases.jsonl)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from downloads.pipeline.match.evaluation import evaluate_file

TRACK = {"name": "Hello", "artists": ["Adele"], "album": "25", "duration_ms": 295493}
RIGHT = {"id": "right", "title": "Hello", "channel": "Adele - Topic", "duration": 295,
         "views": 10, "kind": "song", "artists": ["Adele"], "album": "25"}  # fmt: skip
WRONG = {**RIGHT, "id": "wrong", "title": "Hello (Live)"}

ROOT = Path(__file__).resolve().parents[2]
# The shared folder sits beside the repository; SHARED_DIR points elsewhere (a worktree).
SHARED = Path(os.environ.get("SHARED_DIR") or ROOT.parent / "shared")
CASES = SHARED / "match-cases.jsonl"
OUR_CASES = sorted((ROOT / "tests" / "matching" / "cases").glob("*.jsonl"))


def test_matcher_gets_the_shared_cases_right_and_rarely_accepts_a_wrong_song() -> None:
    assert CASES.is_file(), (
        f"{CASES} is missing: the shared match cases live in shared/ beside the repository "
        "(set SHARED_DIR when it is elsewhere)"
    )
    outcomes, summary = evaluate_file(CASES)
    misses = "\n".join(outcome.line() for outcome in outcomes if outcome.verdict != "ok")
    assert summary.accuracy >= 0.95, misses
    assert summary.false_accepts <= 1, misses


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
