"""Run the matcher over labelled cases (match-cases.jsonl) and count what it got wrong."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from downloads.pipeline.match.score import match
from downloads.pipeline.types import Candidate, TrackQuery

Verdict = Literal["ok", "false_accept", "wrong_decline", "wrong_pick"]


@dataclass(frozen=True, slots=True)
class MatchCase:
    """One labelled case: an empty `accept` means declining is the right answer."""

    id: str
    track: TrackQuery
    candidates: tuple[Candidate, ...]
    accept: frozenset[str]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MatchCase:
        return cls(
            id=str(data["id"]),
            track=TrackQuery.from_dict(data["track"]),
            candidates=tuple(Candidate.from_dict(c) for c in data["candidates"]),
            accept=frozenset(str(i) for i in data.get("accept") or ()),
        )


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    case: MatchCase
    picked: str | None
    verdict: Verdict
    reason: str

    def line(self) -> str:
        """One line for a person: id, picked, expected, and "ok" or why not."""
        expected = ",".join(sorted(self.case.accept)) or "decline"
        status = "ok" if self.verdict == "ok" else f"{self.verdict.replace('_', ' ')}"
        return (
            f"{self.case.id}  picked={self.picked or 'decline'}  expected={expected}  "
            f"{status}  ({self.reason})"
        )


@dataclass(frozen=True, slots=True)
class EvalSummary:
    cases: int
    correct: int
    false_accepts: int
    wrong_declines: int
    wrong_picks: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.cases if self.cases else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "cases": self.cases,
            "correct": self.correct,
            "accuracy": round(self.accuracy, 4),
            "false_accepts": self.false_accepts,
            "wrong_declines": self.wrong_declines,
            "wrong_picks": self.wrong_picks,
        }


def load_cases(path: Path) -> list[MatchCase]:
    """Every non-blank line of a JSONL file as a case."""
    with path.open(encoding="utf-8") as lines:
        return [MatchCase.from_dict(json.loads(line)) for line in lines if line.strip()]


def evaluate_case(case: MatchCase) -> CaseOutcome:
    result = match(case.track, case.candidates)
    picked = result.chosen.id if result.chosen else None
    verdict: Verdict
    if picked is None:
        verdict = "wrong_decline" if case.accept else "ok"
    elif not case.accept:
        verdict = "false_accept"
    else:
        verdict = "ok" if picked in case.accept else "wrong_pick"
    return CaseOutcome(case, picked, verdict, result.reason)


def summarize(outcomes: Iterable[CaseOutcome]) -> EvalSummary:
    verdicts = [outcome.verdict for outcome in outcomes]
    return EvalSummary(
        cases=len(verdicts),
        correct=verdicts.count("ok"),
        false_accepts=verdicts.count("false_accept"),
        wrong_declines=verdicts.count("wrong_decline"),
        wrong_picks=verdicts.count("wrong_pick"),
    )


def evaluate_file(path: Path) -> tuple[list[CaseOutcome], EvalSummary]:
    """Match every case in the file; the outcomes in file order and their totals."""
    return evaluate_files([path])


def evaluate_files(paths: Iterable[Path]) -> tuple[list[CaseOutcome], EvalSummary]:
    """Match every case of every file, in order; one total over all of them."""
    outcomes = [evaluate_case(case) for path in paths for case in load_cases(path)]
    return outcomes, summarize(outcomes)
