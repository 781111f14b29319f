"""A transform's knobs and what it reports when it stops."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from streamduck.transform.batch import PendingBatch
    from streamduck.transform.evaluate import Evaluated

__all__ = ["Mode", "TransformOptions", "TransformReport"]

Mode = Literal["until-caught-up", "follow"]


@dataclass(frozen=True)
class TransformOptions:
    """How a transform runs. The defaults suit a long-running processor."""

    mode: Mode = "follow"
    """``until-caught-up``: stop once the end offsets seen at assignment are processed."""
    batch_size: int = 5_000
    """Most input records per transaction."""
    batch_ms: int = 500
    """Longest a record waits before its batch commits (also the poll timeout)."""
    offset_reset: Literal["earliest", "latest"] = "earliest"
    """Where a new group starts: the whole topic (default) or only new records."""
    session_timeout_ms: int = 10_000
    """Consumer group session timeout: how long a crashed instance holds its partitions."""
    transaction_timeout_ms: int = 60_000
    """The broker aborts a transaction left open this long (a crashed instance not restarted)."""
    dead_letter_topic: str | None = None
    """If set, undecodable input records are copied there (headers name the reason), transactionally."""


@dataclass
class TransformReport:
    """Counts of one run, and the committed input ranges per source partition."""

    name: str
    source_topic: str
    sink_topic: str
    group: str
    transactional_id: str
    records_in: int = 0
    records_out: int = 0
    transactions: int = 0
    aborted: int = 0
    dead_letters: dict[str, int] = field(default_factory=dict)
    ranges: dict[int, list[int]] = field(default_factory=dict)
    """Source partition → [first, last] offset committed by this run."""

    def record_commit(self, batch: PendingBatch, result: Evaluated) -> None:
        """Account for a committed transaction."""
        self.transactions += 1
        self.records_in += batch.count
        self.records_out += len(result.values)
        reasons = Counter(self.dead_letters)
        reasons.update(d.reason for d in result.dead_letters)
        self.dead_letters = dict(reasons)
        for tp, records in batch.records.items():
            first, last = self.ranges.get(tp.partition, [records[0].offset, records[-1].offset])
            self.ranges[tp.partition] = [min(first, records[0].offset), max(last, records[-1].offset)]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
