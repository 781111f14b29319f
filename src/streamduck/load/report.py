"""What a load run did, per stream: the shape Airflow puts into Asset event extras."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["LoadReport", "StreamLoad"]


@dataclass
class StreamLoad:
    """One stream's share of a run."""

    stream: str
    topic: str
    rows: int = 0
    dead_letters: int = 0
    duplicates: int = 0
    """Records already in the warehouse (redelivered); always 0 with exactly-once."""
    records: int = 0
    ranges: dict[int, list[int]] = field(default_factory=dict)
    """Per partition, [first, last] offset committed by this run."""

    def add(
        self, ranges: dict[int, tuple[int, int]], rows: int, dead: int, duplicates: int, records: int
    ) -> None:
        self.rows += rows
        self.dead_letters += dead
        self.duplicates += duplicates
        self.records += records
        for partition, (first, last) in ranges.items():
            known = self.ranges.get(partition)
            self.ranges[partition] = [min(first, known[0]), max(last, known[1])] if known else [first, last]

    def to_dict(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "topic": self.topic,
            "rows": self.rows,
            "dead_letters": self.dead_letters,
            "duplicates": self.duplicates,
            "ranges": {str(p): r for p, r in sorted(self.ranges.items())},
        }


@dataclass
class LoadReport:
    """Result of :func:`streamduck.load.run_load`."""

    guarantee: str
    mode: str
    group: str
    streams: list[StreamLoad]
    batches: int = 0
    stale_batches: int = 0
    commit_conflicts: int = 0
    """Commits that lost to a concurrent writer (DuckLake) and were retried."""
    """Batches rolled back because another loader had committed the same partitions first."""
    read_ahead_records: int = 0
    """Records read and classified while the group was still joining (then committed as usual)."""
    duration_s: float = 0.0

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.streams)

    @property
    def dead_letters(self) -> int:
        return sum(s.dead_letters for s in self.streams)

    def stream(self, name: str) -> StreamLoad:
        return next(s for s in self.streams if s.stream == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "guarantee": self.guarantee,
            "mode": self.mode,
            "group": self.group,
            "batches": self.batches,
            "stale_batches": self.stale_batches,
            "commit_conflicts": self.commit_conflicts,
            "read_ahead_records": self.read_ahead_records,
            "duration_s": round(self.duration_s, 3),
            "streams": [s.to_dict() for s in self.streams],
        }
