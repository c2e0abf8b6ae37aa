"""How far a job got, told the same way on every view of it: the job page, the jobs list, the
queue, the progress stream and the API's job status.

The headline is the share of tracks on disk, a track in flight counting by its progress (one
60% downloaded is 0.6), so it moves while tracks download and says 100% only when every track
is there. The bar shows the same: downloaded, in flight, failed, and the rest (waiting, or
cancelled: striped once the job has ended, never green).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class JobProgress:
    total: int
    done: int
    problems: int  # failed or without a match
    cancelled: int
    in_flight_points: int  # running items' progress summed, 100 points a track
    active: bool

    @property
    def in_flight(self) -> float:
        return self.in_flight_points / 100

    @property
    def percent(self) -> int:
        if not self.total:
            return 0 if self.active else 100
        if self.done >= self.total:
            return 100
        return min(99, int(100 * (self.done + self.in_flight) / self.total))

    @property
    def widths(self) -> dict[str, str]:
        """Each segment's share of the bar, in percent, as CSS wants it."""
        if not self.total:
            return {"done": "100" if not self.active else "0", "running": "0", "problems": "0"}
        share = 100 / self.total
        running = min(self.in_flight, self.total - self.done - self.problems)
        return {
            "done": f"{self.done * share:.2f}",
            "running": f"{max(0.0, running) * share:.2f}",
            "problems": f"{self.problems * share:.2f}",
        }

    def as_dict(self) -> dict[str, object]:
        return {"percent": self.percent, "widths": self.widths}
