"""Pick the upload that is the Spotify recording, or decline: the policy over assessed candidates.

Official audio (a Topic channel, the artist's own channel, a label's official upload) comes
first; among equals an ISRC-search hit wins, since the ISRC names the very recording. A lyric or
fan upload is accepted only as a last resort, when no official upload matched and it is plainly
the same recording. No match beats a wrong song.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from downloads.pipeline.match.signals import Assessment, assess
from downloads.pipeline.match.track import TrackFacts
from downloads.pipeline.match.transliterate import has_han, has_kana, japanese_readings
from downloads.pipeline.types import Candidate, TrackQuery

ACCEPT_SCORE = 70.0  # a weaker best is declined: a +5 s fan upload is not worth the risk
ISRC_TIE_MARGIN = 5.0  # an ISRC hit this close to the best is the same upload by better proof
LAST_RESORT_FACTOR = 0.85  # a fan upload's score says it is second best even when chosen


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    """One candidate's score (0..100), whether it is acceptable, and why in a few words.

    `last_resort` marks an unofficial upload: acceptable only when no official one is.
    """

    candidate: Candidate
    score: float
    accepted: bool
    reason: str
    gates: tuple[str, ...] = ()
    last_resort: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidate": asdict(self.candidate),
            "score": round(self.score, 1),
            "accepted": self.accepted,
            "reason": self.reason,
            "gates": list(self.gates),
        }


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The pick (or None), its score 0..100, a readable reason, and every candidate ranked.

    `score` is the chosen candidate's; on a decline it is the best ungated candidate's (0.0 when
    every candidate failed a gate).
    """

    chosen: Candidate | None
    score: float
    reason: str
    ranked: list[ScoredCandidate]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for storing beside a job item."""
        return {
            "chosen": None if self.chosen is None else asdict(self.chosen),
            "score": round(self.score, 1),
            "reason": self.reason,
            "ranked": [scored.to_dict() for scored in self.ranked],
        }


def _scored(c: Candidate, a: Assessment) -> ScoredCandidate:
    score = max(0.0, min(100.0, a.points))
    notes = a.notes + (["found by ISRC search"] if c.from_isrc else [])
    if a.gates:
        return ScoredCandidate(c, score, False, "; ".join(a.gates), tuple(a.gates))
    if a.unofficial:
        score *= LAST_RESORT_FACTOR
        if not a.faithful:
            why = "not plainly the same recording (length, title and credits must all agree)"
            return ScoredCandidate(c, score, False, f"{notes[0]}: {why}", last_resort=True)
    reason = ", ".join(notes)
    threshold = ACCEPT_SCORE * (LAST_RESORT_FACTOR if a.unofficial else 1.0)
    if score < threshold:
        return ScoredCandidate(c, score, False, f"score {score:.0f} < {threshold:.0f}: {reason}")
    return ScoredCandidate(c, score, True, reason, last_resort=a.unofficial)


def _rank_key(scored: ScoredCandidate) -> tuple[bool, bool, bool, float]:
    return (not scored.accepted, scored.last_resort, bool(scored.gates), -scored.score)


def _isrc_tie(ranked: list[ScoredCandidate]) -> ScoredCandidate | None:
    """An accepted ISRC hit level with the best official pick, when the best is not one."""
    best = ranked[0]
    if best.candidate.from_isrc:
        return None
    return next(
        (
            s
            for s in ranked
            if s.accepted
            and not s.last_resort
            and s.candidate.from_isrc
            and s.score >= best.score - ISRC_TIE_MARGIN
        ),
        None,
    )


def _decide(ranked: list[ScoredCandidate]) -> MatchResult:
    best = ranked[0]
    if best.accepted and not best.last_resort:
        tie = _isrc_tie(ranked)
        if tie is not None:
            reason = f"ISRC search hit preferred among equals: {tie.reason}"
            return MatchResult(tie.candidate, tie.score, reason, ranked)
        return MatchResult(best.candidate, best.score, best.reason, ranked)
    if best.accepted:
        reason = f"unofficial upload accepted: no official upload matched; {best.reason}"
        return MatchResult(best.candidate, best.score, reason, ranked)
    ungated = [s.score for s in ranked if not s.gates]
    described = f"'{best.candidate.title}' ({best.candidate.channel}): {best.reason}"
    return MatchResult(
        None, max(ungated, default=0.0), f"No candidate matched: best was {described}", ranked
    )


def _readings(track: TrackQuery, candidates: Sequence[Candidate]) -> tuple[bool, ...]:
    """Whether to read Han characters as Japanese: yes when kana appear on the track or its
    candidates; both ways when Han characters appear without kana (Chinese, or kanji alone)."""
    texts = [track.name, track.album, *track.artists]
    texts += [text for c in candidates for text in (c.title, c.channel, *(c.artists or ()))]
    if any(has_kana(text) for text in texts):
        return (True,)
    return (False, True) if any(has_han(text) for text in texts) else (False,)


def _assessed(track: TrackQuery, candidates: Sequence[Candidate]) -> list[Assessment]:
    """Each candidate's assessment under the reading that suits it best."""
    best: list[Assessment] = []
    for japanese in _readings(track, candidates):
        with japanese_readings(japanese):
            t = TrackFacts.of(track)
            found = [assess(c, t) for c in candidates]
        best = [min(pair, key=_fit) for pair in zip(best, found, strict=True)] if best else found
    return best


def _fit(a: Assessment) -> tuple[int, float]:
    return (len(a.gates), -a.points)


def match(track: TrackQuery, candidates: Sequence[Candidate]) -> MatchResult:
    """Choose the candidate that is `track`'s recording, or decline with the reason."""
    assessed = zip(candidates, _assessed(track, candidates), strict=True)
    ranked = sorted((_scored(c, a) for c, a in assessed), key=_rank_key)
    if not ranked:
        return MatchResult(None, 0.0, "No candidates to match", ranked)
    return _decide(ranked)
