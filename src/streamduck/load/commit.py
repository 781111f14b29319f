"""One micro-batch, one DuckDB transaction: rows, dead letters, drift, offsets and history.

The steps, in order, and what each guarantee changes, are listed on
:class:`~streamduck.load.offsets.WarehouseOffsets`, whose compare-and-set decides whether a batch is
stale (another loader committed its partitions first): a stale batch is rolled back whole, never
written over the newer state.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from streamduck.crash import CrashPoint, crash_point
from streamduck.ksql.model import SourceDefinition
from streamduck.load.batch import Batch
from streamduck.load.classify import STAGED, stage, stage_to_arrow
from streamduck.load.guarantee import Guarantee
from streamduck.load.offsets import WarehouseOffsets
from streamduck.warehouse.connection import one_row
from streamduck.warehouse.landing import land_staged
from streamduck.warehouse.layout import INTERNAL_SCHEMA
from streamduck.warehouse.schema import create_commit_fence

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

_DRIFT = "temp._streamduck_drift"
"""This batch's schema-drift observations, for the UPDATE and the INSERT of the upsert."""
_BATCH = "_streamduck_batch"
"""The batch's records as registered with DuckDB (columns of :meth:`Batch.to_arrow`)."""
_SHAPES = "_streamduck_shapes"
"""The batch's distinct key lists of loadable records, each with its count and first position
(:func:`_shapes_query`), from which schema drift is counted."""


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
    conflicts_retried: int = 0
    """Commit conflicts with concurrent writers (DuckLake) this batch met before it landed."""


def utc_now() -> dt.datetime:
    """Now in UTC as a naive datetime: the warehouse stores TIMESTAMP in UTC (no pytz needed to read)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def utc_from(epoch_s: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch_s, dt.UTC).replace(tzinfo=None)


def commit_batch(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    *,
    guarantee: Guarantee,
    loader: str,
    max_value_bytes: int,
    conflicts_retried: int = 0,
) -> CommitResult:
    """Write ``batch`` in one transaction; with compare-and-set, only if the stored offsets still match.

    ``conflicts_retried``: how many earlier attempts of this batch lost a commit conflict to a
    concurrent writer (DuckLake), recorded in its history row. A conflict raises from COMMIT; the
    caller re-runs the whole call, whose compare-and-set then sees what the winner stored.
    """
    (result,) = commit_batches(
        con, [batch], guarantee=guarantee, loader=loader, max_value_bytes=max_value_bytes,
        conflicts_retried=conflicts_retried,
    )  # fmt: skip
    return result


def commit_batches(
    con: duckdb.DuckDBPyConnection,
    batches: list[Batch],
    *,
    guarantee: Guarantee,
    loader: str,
    max_value_bytes: int,
    conflicts_retried: int = 0,
    more: Callable[[], Batch | None] | None = None,
) -> list[CommitResult]:
    """Write ``batches``, in order, in one transaction: each as :func:`commit_batch` would.

    A loader that is behind commits the classified batches queued for it together (only batches
    classified ahead, :attr:`Batch.staged`, go in groups): DuckDB then writes full row groups
    straight to the file instead of logging every row to the WAL first and compressing it again at
    the checkpoint, and each stream's drift and offsets are written once per group (figures in
    docs/loader.md). ``more`` is asked for further batches once ``batches`` are landed, until it
    returns None; each is landed as it comes and appended to ``batches`` (so a re-run after a
    conflict repeats them), and the COMMIT is left with little to do. Each batch keeps its own
    compare-and-set and history row; if one of them is stale, the group is rolled back and the
    batches are committed one by one, so the ones before it still land and it is reported stale.
    """
    offsets = WarehouseOffsets(con)
    started = time.time()
    positions: dict[str, dict[int, int]] = {}
    """Compare-and-set: per stream, the stored offsets as the group's batches so far leave them."""
    shapes: dict[str, list[pa.Table]] = {}
    results: list[CommitResult] = []
    con.execute("BEGIN TRANSACTION")
    try:
        while len(results) < len(batches) or (more is not None and _append(batches, more())):
            batch = batches[len(results)]
            name = batch.definition.name
            if guarantee.compare_and_set:
                if name not in positions:
                    if not offsets.fence(name):  # never seeded (a warehouse from before fences)
                        con.execute("ROLLBACK")
                        create_commit_fence(con, name)
                        return commit_batches(
                            con, batches, guarantee=guarantee, loader=loader, max_value_bytes=max_value_bytes,
                            conflicts_retried=conflicts_retried, more=more,
                        )  # fmt: skip
                    positions[name] = offsets.stored(name, batch.definition.topic)
                conflicts = WarehouseOffsets.compare(batch, positions[name])
                if conflicts:
                    con.execute("ROLLBACK")
                    if len(batches) > 1:
                        return [_commit_alone(con, b, guarantee, loader, max_value_bytes) for b in batches]
                    return [CommitResult(name, committed=False, conflicts=conflicts)]
                positions[name].update(batch.next_offsets)
            if batch.staged is None:
                if len(batches) > 1:
                    raise AssertionError("only batches classified ahead are committed together")
                results.append(_classify_and_land(con, batch, max_value_bytes))
            else:
                if not guarantee.read_ahead:
                    raise AssertionError(f"batches classified ahead are not valid with {guarantee.name}")
                results.append(_land_classified(con, batch))
                shapes.setdefault(name, []).append(_numbered(batch.shapes, len(shapes.get(name, []))))
            crash_point(CrashPoint.AFTER_INSERT)
        _record_group_drift(con, batches, shapes)
        now = utc_now()
        for definition, ends, topic_id in _ends(batches):
            offsets.advance(definition, ends, topic_id, loader, now)
        for batch, result in zip(batches, results, strict=True):
            result.conflicts_retried = conflicts_retried
            _record_history(con, batch, result, guarantee.name.value, loader, started)
        con.execute("COMMIT")
    except BaseException:
        _rollback(con)
        raise
    finally:
        _release_staged(con)
    for _ in results:
        crash_point(CrashPoint.AFTER_WAREHOUSE_COMMIT)
    return results


def _append(batches: list[Batch], batch: Batch | None) -> bool:
    if batch is None:
        return False
    batches.append(batch)
    return True


def _commit_alone(
    con: duckdb.DuckDBPyConnection, batch: Batch, guarantee: Guarantee, loader: str, max_value_bytes: int
) -> CommitResult:
    return commit_batch(con, batch, guarantee=guarantee, loader=loader, max_value_bytes=max_value_bytes)


def _ends(batches: Sequence[Batch]) -> list[tuple[SourceDefinition, dict[int, int], str | None]]:
    """Per stream of ``batches``: its definition, the offsets after its last batch, the topic id."""
    ends: dict[str, tuple[SourceDefinition, dict[int, int], str | None]] = {}
    for batch in batches:
        definition, next_offsets, _ = ends.get(batch.definition.name, (batch.definition, {}, None))
        ends[definition.name] = (definition, {**next_offsets, **batch.next_offsets}, batch.topic_id)
    return list(ends.values())


def _classify_and_land(con: duckdb.DuckDBPyConnection, batch: Batch, max_value_bytes: int) -> CommitResult:
    """Classify ``batch`` in the transaction (not classified ahead), then land it, drift counted."""
    _fill_staged(con, batch, max_value_bytes)
    result = _insert_staged(con, batch)
    _record_drift(con, batch.definition, f"({_shapes_query(STAGED)})")
    _release_staged(con)
    return result


def _land_classified(con: duckdb.DuckDBPyConnection, batch: Batch) -> CommitResult:
    """Land a batch classified ahead (its drift is counted with its group's).

    Its counts come from the classification: with compare-and-set (the only guarantee that
    classifies ahead) none of its records can be in the warehouse already.
    """
    staged = batch.staged
    assert staged is not None
    dead = staged.num_rows - staged.column("reason").null_count
    con.register(STAGED, staged)
    rows = land_staged(con, batch.definition, STAGED)
    if dead:
        _insert_dead_letters(con, batch.definition)
    _release_staged(con)
    if rows != staged.num_rows - dead:
        raise AssertionError(
            f"stream {batch.definition.name}: {rows} rows landed, the classification said otherwise"
        )
    return CommitResult(batch.definition.name, committed=True, rows=rows, dead_letters=dead)


def _record_group_drift(
    con: duckdb.DuckDBPyConnection, batches: Sequence[Batch], shapes: dict[str, list[pa.Table]]
) -> None:
    """Count the schema drift of a group's batches classified ahead, once per stream."""
    import pyarrow as pa

    definitions = {b.definition.name: b.definition for b in batches}
    for name, tables in shapes.items():
        # The batch's position in the group orders "first seen".
        con.register(_SHAPES, pa.concat_tables(tables))
        try:
            _record_drift(con, definitions[name], _SHAPES)
        finally:
            con.unregister(_SHAPES)


def _numbered(shapes: pa.Table | None, position: int) -> pa.Table:
    import pyarrow as pa

    assert shapes is not None  # classified ahead
    index = shapes.schema.get_field_index("b")
    return shapes.set_column(index, "b", pa.array([position] * shapes.num_rows, pa.int32()))


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction, if any: a failed COMMIT (a DuckLake conflict) already ended
    it, and a second error from ROLLBACK would hide the first."""
    import duckdb

    try:
        con.execute("ROLLBACK")
    except duckdb.TransactionException as exc:
        if "no transaction is active" not in str(exc):
            raise


def classify_ahead(con: duckdb.DuckDBPyConnection, batch: Batch, max_value_bytes: int) -> None:
    """Classify ``batch`` now, on a scratch connection, into ``batch.staged`` (an Arrow table).

    Its commit then skips classification and the replay filter: valid with compare-and-set only
    (:attr:`Guarantee.read_ahead`), which proves that the warehouse holds none of the batch's records.
    """
    con.register(_BATCH, batch.to_arrow())
    try:
        staged = stage_to_arrow(con, batch.definition, _BATCH, max_value_bytes)
        con.register(STAGED, staged)
        # The key lists travel as their few distinct shapes: converting every row's list back
        # from Arrow cost more than counting the drift itself.
        batch.shapes = con.sql(_shapes_query(STAGED)).to_arrow_table()
        batch.staged = staged.drop_columns(["keys"])
        batch.columns = {}  # the Python objects are no longer needed: free them now
    finally:
        _release_staged(con)


def _fill_staged(con: duckdb.DuckDBPyConnection, batch: Batch, max_value_bytes: int) -> None:
    """Classify ``batch`` in the transaction into :data:`STAGED`, leaving out what is already stored."""
    con.register(_BATCH, batch.to_arrow())
    stage(con, batch.definition, WarehouseOffsets.unloaded(batch.definition, _BATCH), max_value_bytes)


def _release_staged(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the batch and its classification from the connection (memory, and name clashes)."""
    con.unregister(_BATCH)
    con.unregister(STAGED)
    con.unregister(_SHAPES)
    con.execute(f"DROP TABLE IF EXISTS temp.{STAGED}")


def rehearse(con: duckdb.DuckDBPyConnection, definition: SourceDefinition, max_value_bytes: int) -> None:
    """Run a batch's statements on an empty batch, then roll back.

    The first real batch would otherwise pay for building and binding the classification query
    (sqlglot's import included): ~0.3 s, paid here while the consumer joins its group.
    """
    batch = Batch.empty(definition)
    con.execute("BEGIN TRANSACTION")
    try:
        _classify_and_land(con, batch, max_value_bytes)
    finally:
        con.execute("ROLLBACK")
        _release_staged(con)


def _insert_staged(con: duckdb.DuckDBPyConnection, batch: Batch) -> CommitResult:
    definition = batch.definition
    rows = land_staged(con, definition, STAGED)
    dead = _insert_dead_letters(con, definition)
    duplicates = batch.records - rows - dead
    return CommitResult(definition.name, committed=True, rows=rows, dead_letters=dead, duplicates=duplicates)


def _insert_dead_letters(con: duckdb.DuckDBPyConnection, definition: SourceDefinition) -> int:
    """Keep the records of :data:`STAGED` that have a reason; return how many were new."""
    # No INSERT OR IGNORE: a DuckLake has no keys. A dead letter already kept (a replay) is skipped.
    (dead,) = one_row(
        con.execute(
            f"""INSERT INTO {INTERNAL_SCHEMA}.dead_letters
            SELECT $stream, $topic, "partition", "offset", timestamp_ms, "key", "value", headers, reason,
                   detail, $now
            FROM {STAGED} AS s
            WHERE reason IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM {INTERNAL_SCHEMA}.dead_letters AS d
                WHERE d.stream = $stream AND d.topic = $topic
                  AND d."partition" = s."partition" AND d."offset" = s."offset")""",
            {"stream": definition.name, "topic": definition.topic, "now": utc_now()},
        )
    )
    return int(dead)


def _shapes_query(staged: str) -> str:
    """One row per distinct key list of the loadable records: how often, and where first seen
    (``b``: the batch's position in its commit group, 0 here)."""
    return f"""SELECT keys, count(*) AS n, arg_min("partition", "offset") AS p, min("offset") AS o, 0 AS b
        FROM {staged} WHERE reason IS NULL AND keys IS NOT NULL GROUP BY keys"""


def _record_drift(con: duckdb.DuckDBPyConnection, definition: SourceDefinition, shapes: str) -> None:
    """Count undeclared fields seen and declared fields missing, keeping the first offset seen.

    Rows are grouped by their key list first (``shapes``, see :func:`_shapes_query`): a batch
    usually holds a handful of distinct key lists, so only those are unnested and compared, not
    every row's keys (exact counts still). "First" is the earliest batch's, then lowest offset.
    """
    declared = [c.field.upper() for c in definition.value_columns]  # matched case-insensitively
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {_DRIFT} AS
        WITH shapes AS (SELECT * FROM {shapes}), observations AS (
            SELECT k AS field, 'undeclared' AS kind, n, p, o, b
            FROM (SELECT unnest(keys) AS k, n, p, o, b FROM shapes)
            WHERE NOT list_contains($declared, upper(k))
            UNION ALL
            SELECT d, 'missing', n, p, o, b
            FROM (SELECT unnest($declared) AS d, list_transform(keys, lambda k: upper(k)) AS upper_keys,
                         n, p, o, b FROM shapes)
            WHERE NOT list_contains(upper_keys, d)
        )
        SELECT field, kind, arg_min(p, (b, o)) AS first_partition, arg_min(o, (b, o)) AS first_offset,
               sum(n)::BIGINT AS n
        FROM observations GROUP BY field, kind""",
        {"declared": declared},
    )
    # An upsert as UPDATE then INSERT of the new ones (a DuckLake has no keys for ON CONFLICT).
    params = {"stream": definition.name, "now": utc_now()}
    con.execute(
        f"""UPDATE {INTERNAL_SCHEMA}.schema_drift AS d SET count = d.count + o.n, last_seen_at = $now
            FROM {_DRIFT} AS o WHERE d.stream = $stream AND d.field = o.field AND d.kind = o.kind""",
        params,
    )
    con.execute(
        f"""INSERT INTO {INTERNAL_SCHEMA}.schema_drift
            SELECT $stream, field, kind, first_partition, first_offset, n, $now, $now FROM {_DRIFT} AS o
            WHERE NOT EXISTS (SELECT 1 FROM {INTERNAL_SCHEMA}.schema_drift AS d
                              WHERE d.stream = $stream AND d.field = o.field AND d.kind = o.kind)""",
        params,
    )
    con.execute(f"DROP TABLE {_DRIFT}")


def _record_history(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    result: CommitResult,
    guarantee: str,
    loader: str,
    started: float,
) -> None:
    ranges = json.dumps({str(p): list(r) for p, r in sorted(batch.ranges.items())})
    # The next batch id without a sequence (a DuckLake has none): concurrent loaders that pick the
    # same one both write the offsets table too, so one of them conflicts and retries.
    con.execute(
        f"""INSERT INTO {INTERNAL_SCHEMA}.load_history (
            batch_id, stream, topic, guarantee, loader, ranges, records, "rows", dead_letters, duplicates,
            "bytes", started_at, committed_at, duration_ms, commit_conflicts, action, topic_id)
        SELECT coalesce(max(batch_id), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'load', ?
        FROM {INTERNAL_SCHEMA}.load_history""",
        [
            batch.definition.name, batch.definition.topic, guarantee, loader, ranges, batch.records,
            result.rows, result.dead_letters, result.duplicates, batch.bytes, utc_from(started),
            utc_now(), (time.time() - started) * 1000, result.conflicts_retried, batch.topic_id,
        ],
    )  # fmt: skip
