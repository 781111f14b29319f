"""Collecting polled records into one transaction's worth of input."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["PendingBatch"]


@dataclass
class PendingBatch:
    """Records polled since the last transaction, per partition, in offset order."""

    records: dict[Any, list[Any]] = field(default_factory=dict)
    """TopicPartition → ConsumerRecords."""
    count: int = 0
    opened: float = 0.0

    def add(self, polled: dict[Any, list[Any]]) -> None:
        for tp, records in polled.items():
            if not records:
                continue
            if not self.count:
                self.opened = time.monotonic()
            self.records.setdefault(tp, []).extend(records)
            self.count += len(records)

    def is_due(self, max_records: int, max_age_s: float) -> bool:
        """True when the batch should be committed now."""
        return self.count >= max_records or (self.count > 0 and time.monotonic() - self.opened >= max_age_s)

    def first_offsets(self) -> dict[Any, int]:
        """Per partition, where the batch starts (to rewind to after an aborted transaction)."""
        return {tp: records[0].offset for tp, records in self.records.items()}

    def next_offsets(self) -> dict[Any, int]:
        """Per partition, the offset to commit: the one after the batch's last record."""
        return {tp: records[-1].offset + 1 for tp, records in self.records.items()}

    def to_arrow(self) -> pa.Table:
        """The records as the loader's batch columns (partition, offset, timestamp_ms, key, headers, value)."""
        import pyarrow as pa

        rows = [r for records in self.records.values() for r in records]
        header = pa.list_(pa.struct([("key", pa.string()), ("value", pa.binary())]))
        return pa.table(
            {
                "partition": pa.array([r.partition for r in rows], pa.int32()),
                "offset": pa.array([r.offset for r in rows], pa.int64()),
                "timestamp_ms": pa.array([r.timestamp for r in rows], pa.int64()),
                "key": pa.array([r.key for r in rows], pa.binary()),
                "headers": pa.array([list(r.headers or []) for r in rows], header),
                "value": pa.array([r.value for r in rows], pa.binary()),
            }
        )
