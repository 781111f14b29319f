"""The warehouse's offsets: what the loader has landed, per stream and partition.

With exactly-once they are the source of truth: every assignment seeks to them, and every batch
commits only if they still hold what the batch was read from (compare-and-set), in the same DuckDB
transaction as the batch's rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamduck.ksql.model import SourceDefinition
from streamduck.load.batch import Batch
from streamduck.warehouse.connection import one_row
from streamduck.warehouse.layout import INTERNAL_SCHEMA
from streamduck.warehouse.sqltext import quote_string

if TYPE_CHECKING:
    import datetime as dt

    import duckdb


class WarehouseOffsets:
    """Stored, compare-and-set, advance: ``_streamduck.offsets`` seen through one connection.

    The steps of one batch, in order (crash points from :mod:`streamduck.crash` in brackets):

    1. The loader's main thread closes a batch of one stream. ``batch.expected`` holds, per
       partition, the offset it believed the warehouse stored when it fetched the records (from
       :meth:`stored` at assignment, or from its own previous batch).
    2. At-most-once only: the batch's end offsets are committed to the Kafka group; if the group
       moved on, the batch is dropped (the new owner reads those records). [before-write]
    3. The writer thread opens one DuckDB transaction (with exactly-once, a writer that is behind
       lands the classified batches queued for it in the same one: steps 4-5 per batch, 6-7 per
       stream, see :func:`~streamduck.load.commit.commit_batches`).
    4. Exactly-once only, :meth:`compare` against :meth:`stored`: if any partition's stored offset differs
       from ``batch.expected``, another loader committed in between; the transaction is rolled
       back whole and the main thread seeks those partitions to the stored offsets.
    5. The batch is classified (ahead, on a classifier thread, with exactly-once); valid rows go
       to the raw table, the others to the dead letters. Records below the stored offsets
       (redeliveries, at-least-once) are filtered out by :meth:`unloaded` and counted as
       duplicates. [after-insert]
    6. Schema drift counters are updated.
    7. :meth:`advance` (set) stores the batch's end offsets; a history row is written.
    8. COMMIT: rows, dead letters, drift, offsets and history land together, or none of them.
       [after-warehouse-commit]
    9. Exactly-once and at-least-once: the main thread commits to the Kafka group, per partition,
       the lowest offset every stream of the topic has landed (for monitoring and for the
       positions of the other guarantees). [after-kafka-commit]

    A crash anywhere before 8 leaves the warehouse as it was; between 8 and 9 the group's
    offsets lag behind the warehouse, which exactly-once ignores and at-least-once absorbs in 5.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def stored(self, stream: str, topic: str) -> dict[int, int]:
        """The next offset to load per partition, as the warehouse holds it for ``stream``."""
        rows = self._con.execute(
            f'SELECT "partition", next_offset FROM {INTERNAL_SCHEMA}.offsets WHERE stream = ? AND topic = ?',
            [stream, topic],
        ).fetchall()
        return dict(rows)

    def lowest(self) -> dict[tuple[str, int], int]:
        """Per (topic, partition), the lowest next offset any stream of it holds."""
        rows = self._con.execute(
            f'SELECT topic, "partition", min(next_offset) FROM {INTERNAL_SCHEMA}.offsets GROUP BY ALL'
        ).fetchall()
        return {(topic, partition): offset for topic, partition, offset in rows}

    @staticmethod
    def compare(batch: Batch, stored: dict[int, int]) -> dict[int, int | None]:
        """The compare of compare-and-set: partitions whose offset in ``stored`` (next offset per
        partition) is not ``batch.expected``, with what is stored instead (None: nothing). Empty
        when the batch may commit."""
        return {
            partition: stored.get(partition)
            for partition, expected in batch.expected.items()
            if stored.get(partition) != expected
        }

    def fence(self, stream: str) -> bool:
        """Update ``stream``'s commit-fence row; False when it has none (seed it, then retry).

        On a DuckLake this is what makes the compare-and-set hold: its snapshot isolation lets two
        transactions both pass the compare, and it flags a conflict only between two that delete
        from (update) the same table. Every exactly-once commit updates this row, so of two racing
        commits one fails at COMMIT and is re-run, and its compare then sees the winner's offsets.
        """
        (updated,) = one_row(
            self._con.execute(
                f"UPDATE {INTERNAL_SCHEMA}.commit_fences SET commits = commits + 1 WHERE stream = ?", [stream]
            )
        )
        return bool(updated)

    def advance(
        self,
        definition: SourceDefinition,
        next_offsets: dict[int, int],
        topic_id: str | None,
        loader: str,
        now: dt.datetime,
    ) -> None:
        """The set: store ``definition``'s offsets after its batches (never moving one backwards).

        UPDATE the stored rows, then INSERT the partitions never stored: a DuckLake has no keys for
        ON CONFLICT. There, two transactions that both write this table conflict at COMMIT; the
        loser is re-run whole, and its compare-and-set then sees what the winner stored.
        """
        partitions = sorted(next_offsets)
        params = {
            "stream": definition.name, "topic": definition.topic, "loader": loader, "now": now,
            "partitions": partitions, "offsets": [next_offsets[p] for p in partitions], "topic_id": topic_id,
        }  # fmt: skip
        ends = 'SELECT unnest($partitions) AS "partition", unnest($offsets) AS next_offset'
        self._con.execute(
            f"""UPDATE {INTERNAL_SCHEMA}.offsets AS o
                SET next_offset = b.next_offset, loader = $loader, updated_at = $now,
                    topic_id = coalesce($topic_id, o.topic_id)
                FROM ({ends}) AS b
                WHERE o.stream = $stream AND o.topic = $topic AND o."partition" = b."partition"
                  AND o.next_offset < b.next_offset""",
            params,
        )
        self._con.execute(
            f"""INSERT INTO {INTERNAL_SCHEMA}.offsets
                    (stream, topic, "partition", next_offset, loader, updated_at, topic_id)
                SELECT $stream, $topic, "partition", next_offset, $loader, $now, $topic_id FROM ({ends}) AS b
                WHERE NOT EXISTS (
                    SELECT 1 FROM {INTERNAL_SCHEMA}.offsets AS o
                    WHERE o.stream = $stream AND o.topic = $topic AND o."partition" = b."partition")""",
            params,
        )

    @staticmethod
    def unloaded(definition: SourceDefinition, records: str) -> str:
        """SQL for the rows of relation ``records`` at or above their partition's stored offset.

        This replaces a (partition, offset) primary key on the raw table: loads only ever advance a
        partition's stored offset over a contiguous range, so everything below it is already in the
        raw table or among the dead letters. With exactly-once the compare-and-set makes this a
        no-op; with at-least-once it absorbs replays.
        """
        stored = f"""(SELECT "partition", next_offset FROM {INTERNAL_SCHEMA}.offsets
            WHERE stream = {quote_string(definition.name)} AND topic = {quote_string(definition.topic)})"""
        return f"""(SELECT b.* FROM {records} AS b LEFT JOIN {stored} AS s USING ("partition")
            WHERE s.next_offset IS NULL OR b."offset" >= s.next_offset)"""


def stored_offsets(
    con: duckdb.DuckDBPyConnection, definitions: list[SourceDefinition]
) -> dict[str, dict[int, int]]:
    """Per stream of ``definitions``, the warehouse's next offset per partition."""
    offsets = WarehouseOffsets(con)
    return {d.name: offsets.stored(d.name, d.topic) for d in definitions}
