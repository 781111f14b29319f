"""One micro-batch, one DuckDB transaction: rows, dead letters, drift, offsets and history.

Exactly-once rests on the compare-and-set here: the batch carries, per partition, the offset the
loader believed the warehouse held when it fetched the records. If the stored offset differs, some
other loader (a newer group member, after a rebalance) committed in between: this batch is stale and
is rolled back whole, never written over the newer state.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from streamduck.ksql.model import SourceDefinition
from streamduck.load.batch import Batch
from streamduck.load.classify import STAGED, stage
from streamduck.load.crash import crash_point
from streamduck.warehouse.layout import INTERNAL_SCHEMA, raw_table
from streamduck.warehouse.sqltext import quote_string

if TYPE_CHECKING:
    import duckdb

__all__ = ["CommitResult", "classify_ahead", "commit_batch", "rehearse", "stored_offsets"]

_BATCH = "_streamduck_batch"
"""The batch's records as registered with DuckDB (columns of :meth:`Batch.to_arrow`)."""


@dataclass
class CommitResult:
    """What one batch transaction did."""

    stream: str
    committed: bool
    rows: int = 0
    dead_letters: int = 0
    duplicates: int = 0
    conflicts: dict[int, int | None] = field(default_factory=dict)
    """For a stale batch: per partition, the offset the warehouse holds instead."""


def utc_now() -> dt.datetime:
    """Now in UTC as a naive datetime: the warehouse stores TIMESTAMP in UTC (no pytz needed to read)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def utc_from(epoch_s: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch_s, dt.UTC).replace(tzinfo=None)


def stored_offsets(con: duckdb.DuckDBPyConnection, stream: str, topic: str) -> dict[int, int]:
    """The next offset to load per partition, as the warehouse holds it for ``stream``."""
    rows = con.execute(
        f'SELECT "partition", next_offset FROM {INTERNAL_SCHEMA}.offsets WHERE stream = ? AND topic = ?',
        [stream, topic],
    ).fetchall()
    return dict(rows)


def commit_batch(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    *,
    guarantee: str,
    loader: str,
    max_value_bytes: int,
) -> CommitResult:
    """Write ``batch`` in one transaction; with exactly-once, only if the stored offsets still match."""
    definition = batch.definition
    started = time.time()
    con.execute("BEGIN TRANSACTION")
    try:
        if guarantee == "exactly-once":
            conflicts = _stale_partitions(con, batch)
            if conflicts:
                con.execute("ROLLBACK")
                return CommitResult(definition.name, committed=False, conflicts=conflicts)
        _fill_staged(con, batch, guarantee, max_value_bytes)
        result = _insert_staged(con, batch)
        _record_drift(con, batch)
        _store_offsets(con, batch, loader)
        _record_history(con, batch, result, guarantee, loader, started)
        crash_point("after-insert")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        _release_staged(con)
    crash_point("after-warehouse-commit")
    return result


def classify_ahead(con: duckdb.DuckDBPyConnection, batch: Batch, max_value_bytes: int) -> None:
    """Classify ``batch`` now, on a scratch connection, into ``batch.staged`` (an Arrow table).

    Its commit then skips classification and the replay filter: valid with exactly-once only,
    where the compare-and-set proves that the warehouse holds none of the batch's records.
    """
    con.register(_BATCH, batch.to_arrow())
    try:
        stage(con, batch.definition, _BATCH, max_value_bytes)
        batch.staged = con.sql(f"SELECT * FROM {STAGED}").to_arrow_table()
        batch.columns = {}  # the Python objects are no longer needed: free them now
    finally:
        _release_staged(con)


def _fill_staged(con: duckdb.DuckDBPyConnection, batch: Batch, guarantee: str, max_value_bytes: int) -> None:
    if batch.staged is not None:
        if guarantee != "exactly-once":
            raise AssertionError("batches classified ahead are only valid with exactly-once")
        con.register(STAGED, batch.staged)
        return
    con.register(_BATCH, batch.to_arrow())
    stage(con, batch.definition, _unloaded_records(batch.definition), max_value_bytes)


def _release_staged(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the batch and its classification from the connection (memory, and name clashes)."""
    con.unregister(_BATCH)
    con.unregister(STAGED)
    con.execute(f"DROP TABLE IF EXISTS temp.{STAGED}")


def rehearse(con: duckdb.DuckDBPyConnection, definition: SourceDefinition, max_value_bytes: int) -> None:
    """Run a batch's statements on an empty batch, then roll back.

    The first real batch would otherwise pay for building and binding the classification query
    (sqlglot's import included): ~0.3 s, paid here while the consumer joins its group.
    """
    batch = Batch.empty(definition)
    con.execute("BEGIN TRANSACTION")
    try:
        _fill_staged(con, batch, "exactly-once", max_value_bytes)
        _insert_staged(con, batch)
        _record_drift(con, batch)
    finally:
        con.execute("ROLLBACK")
        _release_staged(con)


def _stale_partitions(con: duckdb.DuckDBPyConnection, batch: Batch) -> dict[int, int | None]:
    stored = stored_offsets(con, batch.definition.name, batch.definition.topic)
    return {
        partition: stored.get(partition)
        for partition, expected in batch.expected.items()
        if stored.get(partition) != expected
    }


def _unloaded_records(definition: SourceDefinition) -> str:
    """The batch minus records below their partition's stored next offset (redeliveries).

    This replaces a (partition, offset) primary key on the raw table: loads only ever advance a
    partition's stored offset over a contiguous range, so everything below it is already in the raw
    table or among the dead letters. With exactly-once the compare-and-set makes this a no-op; with
    at-least-once it absorbs replays, which are then counted as duplicates.
    """
    stored = f"""(SELECT "partition", next_offset FROM {INTERNAL_SCHEMA}.offsets
        WHERE stream = {quote_string(definition.name)} AND topic = {quote_string(definition.topic)})"""
    return f"""(SELECT b.* FROM {_BATCH} AS b LEFT JOIN {stored} AS s USING ("partition")
        WHERE s.next_offset IS NULL OR b."offset" >= s.next_offset)"""


def _insert_staged(con: duckdb.DuckDBPyConnection, batch: Batch) -> CommitResult:
    definition = batch.definition
    topic = definition.topic
    (rows,) = con.execute(
        f"""INSERT INTO {raw_table(definition)}
            (topic, "partition", "offset", timestamp_ms, "key", headers, "value")
            SELECT ?, "partition", "offset", timestamp_ms, "key", headers, text
            FROM {STAGED} WHERE reason IS NULL""",
        [topic],
    ).fetchone()
    (dead,) = con.execute(
        f"""INSERT OR IGNORE INTO {INTERNAL_SCHEMA}.dead_letters
            SELECT ?, ?, "partition", "offset", timestamp_ms, "key", "value", headers, reason, detail, ?
            FROM {STAGED} WHERE reason IS NOT NULL""",
        [definition.name, topic, utc_now()],
    ).fetchone()
    duplicates = batch.records - rows - dead
    return CommitResult(definition.name, committed=True, rows=rows, dead_letters=dead, duplicates=duplicates)


def _record_drift(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    """Count undeclared fields seen and declared fields missing, keeping the first offset seen.

    Rows are grouped by their key list first: a batch usually holds a handful of distinct key
    lists, so only those are unnested and compared, not every row's keys (exact counts still).
    """
    definition = batch.definition
    declared = [c.field.upper() for c in definition.value_columns]  # matched case-insensitively
    con.execute(
        f"""INSERT INTO {INTERNAL_SCHEMA}.schema_drift
        WITH shapes AS (  -- one row per distinct key list: how often, and where first seen
            SELECT keys, count(*) AS n, arg_min("partition", "offset") AS p, min("offset") AS o
            FROM {STAGED} WHERE reason IS NULL AND keys IS NOT NULL GROUP BY keys
        ), observations AS (
            SELECT k AS field, 'undeclared' AS kind, n, p, o
            FROM (SELECT unnest(keys) AS k, n, p, o FROM shapes)
            WHERE NOT list_contains($declared, upper(k))
            UNION ALL
            SELECT d, 'missing', n, p, o
            FROM (SELECT unnest($declared) AS d, list_transform(keys, lambda k: upper(k)) AS upper_keys,
                         n, p, o FROM shapes)
            WHERE NOT list_contains(upper_keys, d)
        )
        SELECT $stream, field, kind, arg_min(p, o), min(o), sum(n)::BIGINT, $now, $now
        FROM observations GROUP BY field, kind
        ON CONFLICT (stream, field, kind) DO UPDATE
        SET count = count + excluded.count, last_seen_at = excluded.last_seen_at""",
        {"stream": definition.name, "declared": declared, "now": utc_now()},
    )


def _store_offsets(con: duckdb.DuckDBPyConnection, batch: Batch, loader: str) -> None:
    definition = batch.definition
    con.executemany(
        f"""INSERT INTO {INTERNAL_SCHEMA}.offsets VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (stream, topic, "partition") DO UPDATE
            SET next_offset = greatest(next_offset, excluded.next_offset),
                loader = excluded.loader,
                updated_at = excluded.updated_at""",
        [[definition.name, definition.topic, p, o, loader, utc_now()] for p, o in batch.next_offsets.items()],
    )


def _record_history(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    result: CommitResult,
    guarantee: str,
    loader: str,
    started: float,
) -> None:
    ranges = json.dumps({str(p): list(r) for p, r in sorted(batch.ranges.items())})
    con.execute(
        f"""INSERT INTO {INTERNAL_SCHEMA}.load_history VALUES (
            nextval('{INTERNAL_SCHEMA}.batch_ids'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
            ?, ?, ?)""",
        [
            batch.definition.name, batch.definition.topic, guarantee, loader, ranges, batch.records,
            result.rows, result.dead_letters, result.duplicates, batch.bytes, utc_from(started),
            utc_now(), (time.time() - started) * 1000,
        ],
    )  # fmt: skip
