"""Collecting fetched records into micro-batches, closed by count, bytes or age.

The only per-record Python work in the loader happens here, and it is limited to gathering the
fields kafka-python already decoded into column lists; parsing and validation happen in DuckDB.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from streamduck.ksql.model import SourceDefinition

if TYPE_CHECKING:
    from concurrent.futures import Future

    import pyarrow as pa

__all__ = ["Batch", "BatchBuilder", "BatchLimits", "seek_to_lowest_need"]


@dataclass(frozen=True)
class BatchLimits:
    """When a micro-batch closes: whichever limit is reached first."""

    records: int = 20_000
    bytes: int = 16 * 1024 * 1024
    age_s: float = 1.0


@dataclass
class Batch:
    """One stream's closed micro-batch, ready for a single warehouse transaction."""

    definition: SourceDefinition
    columns: dict[str, list[Any]]
    expected: dict[int, int | None]
    """Per partition, the next offset the warehouse must hold for this batch to commit (None: none)."""
    next_offsets: dict[int, int]
    """Per partition, the offset after the batch's last record (what the warehouse will hold)."""
    ranges: dict[int, tuple[int, int]]
    records: int
    bytes: int
    staged: pa.Table | None = None
    """The classified records, when classified ahead of the commit (see
    :meth:`~streamduck.load.writer.WarehouseWriter.classify_ahead`)."""
    shapes: pa.Table | None = None
    """With :attr:`staged`: the distinct key lists of its loadable records (for schema drift)."""
    staging: Future[None] | None = None
    """Set while the batch is being classified ahead: done once :attr:`staged` is (or with its error)."""
    topic_id: str | None = None
    """The id of the topic incarnation the records were read from (stored with the offsets)."""

    @property
    def classified_ahead(self) -> bool:
        """Classified (or being classified) ahead of its commit, on a classifier thread."""
        return self.staged is not None or self.staging is not None

    @classmethod
    def empty(cls, definition: SourceDefinition) -> Batch:
        """A batch without records (for rehearsing a commit's statements)."""
        return cls(definition, _empty_columns(), {}, {}, {}, 0, 0)

    def to_arrow(self) -> pa.Table:
        """The batch as an Arrow table, in (partition, offset) order, the order records land in.

        Fetches interleave partitions; sorting here (Arrow, a few milliseconds) spares the landing
        insert a sort of the wide, typed rows.
        """
        import pyarrow as pa

        header = pa.list_(pa.struct([("key", pa.string()), ("value", pa.binary())]))
        table = pa.table(
            {
                "partition": pa.array(self.columns["partition"], pa.int32()),
                "offset": pa.array(self.columns["offset"], pa.int64()),
                "timestamp_ms": pa.array(self.columns["timestamp_ms"], pa.int64()),
                "key": pa.array(self.columns["key"], pa.binary()),
                "headers": pa.array(self.columns["headers"], header),
                "value": pa.array(self.columns["value"], pa.binary()),
            }
        )
        if len(self.ranges) < 2:  # one partition: fetched in offset order already
            return table
        return table.sort_by([("partition", "ascending"), ("offset", "ascending")])


@dataclass
class BatchBuilder:
    """Accumulates one stream's records and tracks, per partition, where the batch must start."""

    definition: SourceDefinition
    limits: BatchLimits
    positions: dict[int, int | None] = field(default_factory=dict)
    """Per partition, the next offset expected (None: from the beginning, nothing stored yet)."""
    _columns: dict[str, list[Any]] = field(default_factory=lambda: _empty_columns())
    _expected: dict[int, int | None] = field(default_factory=dict)
    _ranges: dict[int, tuple[int, int]] = field(default_factory=dict)
    _records: int = 0
    _bytes: int = 0
    _opened: float = 0.0

    def reset_position(self, partition: int, offset: int | None) -> None:
        """The consumer was (re)positioned: records of ``partition`` must continue from ``offset``."""
        self.positions[partition] = offset
        self._drop_partition(partition)

    def add(self, partition: int, records: list[Any]) -> None:
        """Append records fetched from ``partition`` (ConsumerRecord objects, in offset order)."""
        expected = self.positions.get(partition)
        if expected is not None and records and records[0].offset < expected:
            # Records fetched before a seek; never land anything twice.
            records = [r for r in records if r.offset >= expected]
        if not records:
            return
        if not self._records:
            self._opened = time.monotonic()
        if partition not in self._ranges:
            self._expected[partition] = expected
            self._ranges[partition] = (records[0].offset, records[-1].offset)
        else:
            self._ranges[partition] = (self._ranges[partition][0], records[-1].offset)
        cols = self._columns
        cols["partition"].extend([partition] * len(records))
        cols["offset"].extend([r.offset for r in records])
        cols["timestamp_ms"].extend([r.timestamp for r in records])
        cols["key"].extend([r.key for r in records])
        cols["headers"].extend([r.headers for r in records])
        cols["value"].extend([r.value for r in records])
        self._records += len(records)
        self._bytes += sum([r.serialized_value_size for r in records])
        self.positions[partition] = records[-1].offset + 1

    @property
    def records(self) -> int:
        return self._records

    def is_full(self, now: float | None = None) -> bool:
        """True when a limit is reached and the batch should be committed."""
        if not self._records:
            return False
        now = time.monotonic() if now is None else now
        return self.is_full_by_size() or now - self._opened >= self.limits.age_s

    def is_full_by_size(self) -> bool:
        """True when the record or byte limit is reached (the age limit aside)."""
        return self._records >= self.limits.records or self._bytes >= self.limits.bytes

    def take(self) -> Batch | None:
        """Close the current batch (None when empty) and start a new one."""
        if not self._records:
            return None
        batch = Batch(
            definition=self.definition,
            columns=self._columns,
            expected=self._expected,
            next_offsets={p: last + 1 for p, (_, last) in self._ranges.items()},
            ranges=self._ranges,
            records=self._records,
            bytes=self._bytes,
        )
        self._columns, self._expected, self._ranges = _empty_columns(), {}, {}
        self._records = self._bytes = 0
        return batch

    def _drop_partition(self, partition: int) -> None:
        if partition not in self._ranges:
            return
        keep = [i for i, p in enumerate(self._columns["partition"]) if p != partition]
        self._columns = {name: [values[i] for i in keep] for name, values in self._columns.items()}
        self._records = len(keep)
        self._bytes = sum(len(v) for v in self._columns["value"] if v is not None)
        del self._ranges[partition]
        del self._expected[partition]


def seek_to_lowest_need(consumer: Any, tp: Any, builders: list[BatchBuilder]) -> None:
    """Position ``consumer`` on ``tp`` where the builder that is furthest behind continues.

    The streams of one topic share a consumer, so each partition is read once, from the lowest
    offset any of them still needs (from the beginning when one has nothing stored).
    """
    needs = [b.positions.get(tp.partition) for b in builders]
    known = [n for n in needs if n is not None]
    if len(known) < len(needs):
        consumer.seek_to_beginning(tp)
    else:
        consumer.seek(tp, min(known))


def _empty_columns() -> dict[str, list[Any]]:
    return {name: [] for name in ("partition", "offset", "timestamp_ms", "key", "headers", "value")}
