"""Reading ahead while the consumer joins its group (exactly-once only).

Joining a group takes seconds of idle time: the coordinator waits for other members before it
assigns partitions (Kafka's ``group.initial.rebalance.delay.ms``, 3 s by default; the embedded broker
waits half the session timeout). With exactly-once, where each partition resumes comes from the
warehouse, not from the group, so the loader can fetch, parse and classify the first batches of
every partition during the join, on cores that would otherwise idle.

Nothing is written before the assignment. The read-ahead batches are then adopted only if this
member was assigned all their partitions and the warehouse still holds the offsets they start from;
they commit through the normal path, compare-and-set included. Otherwise they are dropped and those
records are read again. At most ``max_batches`` closed batches are held, so memory stays bounded by
the batch size.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from streamduck.errors import StreamduckError
from streamduck.kafka.clients import consumer
from streamduck.ksql.model import SourceDefinition
from streamduck.load.batch import Batch, BatchBuilder, BatchLimits, seek_to_lowest_need
from streamduck.load.offsets import stored_offsets
from streamduck.load.writer import WarehouseWriter
from streamduck.settings import Settings

__all__ = ["ReadAhead", "adoptable"]

log = logging.getLogger(__name__)


class ReadAhead:
    """A thread that reads the first batches from the warehouse's offsets until :meth:`stop`."""

    def __init__(
        self,
        settings: Settings,
        definitions: Sequence[SourceDefinition],
        limits: BatchLimits,
        writer: WarehouseWriter,
        max_batches: int,
    ):
        self._settings, self._definitions, self._limits = settings, list(definitions), limits
        self._writer, self._max_batches = writer, max_batches
        self._stopping = threading.Event()
        self._batches: list[Batch] = []
        self.started_from: dict[str, dict[int, int]] = {}
        """Per stream, the warehouse offsets the read-ahead started from."""
        self._thread = threading.Thread(target=self._run, name="streamduck-read-ahead", daemon=True)
        self._thread.start()

    def stop(self) -> list[Batch]:
        """Stop reading; the closed batches, oldest first, each already queued for classification."""
        self._stopping.set()
        self._thread.join()
        return self._batches

    def _run(self) -> None:
        try:
            self._read()
        except StreamduckError as exc:  # the load itself meets and reports it (one line)
            log.debug("read-ahead during the group join stopped: %s", exc)
        except Exception as exc:  # an optimisation only: the load goes on without it
            log.warning("read-ahead during the group join stopped: %s", exc)

    def _read(self) -> None:
        from kafka import TopicPartition

        self.started_from = self._writer.call(lambda con: stored_offsets(con, self._definitions))
        by_topic: dict[str, list[BatchBuilder]] = {}
        for d in self._definitions:
            builder = BatchBuilder(d, self._limits, positions=dict(self.started_from[d.name]))
            by_topic.setdefault(d.topic, []).append(builder)
        reader = consumer(
            self._settings, isolation_level="read_committed", max_partition_fetch_bytes=4 * 1024 * 1024
        )
        try:
            tps = [
                TopicPartition(t, p) for t in by_topic for p in sorted(reader.partitions_for_topic(t) or ())
            ]
            reader.assign(tps)
            for tp in tps:
                seek_to_lowest_need(reader, tp, by_topic[tp.topic])
            while not self._stopping.is_set() and len(self._batches) < self._max_batches:
                fetched = reader.poll(timeout_ms=100, max_records=self._limits.records)
                for tp, records in fetched.items():
                    for builder in by_topic[tp.topic]:
                        builder.add(tp.partition, records)
                for builder in (b for group in by_topic.values() for b in group):
                    if builder.is_full_by_size():
                        batch = builder.take()
                        assert batch is not None  # full, so not empty
                        self._writer.classify_ahead(batch)
                        self._batches.append(batch)
        finally:
            reader.close()


def adoptable(
    batches: Sequence[Batch],
    started_from: Mapping[str, Mapping[int, int]],
    stored: Mapping[str, Mapping[int, int]],
    assigned: set[Any],
) -> dict[str, dict[int, int]] | None:
    """Where each stream continues after committing ``batches``; None when they must be dropped.

    They are kept only if nothing was committed since the read-ahead started (``stored`` equals
    ``started_from``) and every partition they cover is in ``assigned`` ((topic, partition) pairs).
    """
    if not batches:
        return None
    if any(dict(stored.get(name, {})) != dict(offsets) for name, offsets in started_from.items()):
        return None
    positions = {name: dict(offsets) for name, offsets in stored.items()}
    for batch in batches:
        name, topic = batch.definition.name, batch.definition.topic
        if any((topic, p) not in assigned for p in batch.ranges):
            return None
        positions.setdefault(name, {}).update(batch.next_offsets)
    return positions
