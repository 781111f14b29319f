"""Landing classified records: typed rows into the landing table, and a TABLE source's latest rows.

Runs inside the caller's transaction (a loader's batch, a dead-letter replay), so the rows, the
materialized latest table and the offsets or dead letters that go with them commit together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamduck.ksql.model import SourceDefinition
from streamduck.warehouse.connection import one_row
from streamduck.warehouse.layout import landing_select, latest_select, recency
from streamduck.warehouse.schema import KEY, TIMESTAMP, TOPIC, VALUE, latest_columns, latest_table, raw_table
from streamduck.warehouse.sqltext import quote_ident

if TYPE_CHECKING:
    import duckdb

__all__ = ["land_records", "land_staged", "rebuild_latest"]

_LANDED = "_streamduck_landed"
_WINNERS = "_streamduck_winners"


def land_staged(
    con: duckdb.DuckDBPyConnection, definition: SourceDefinition, staged: str, *, out_of_order: bool = False
) -> int:
    """Land the loadable rows (``reason IS NULL``) of the classified relation ``staged``; return how many.

    ``staged`` has the columns of :data:`~streamduck.load.classify.STAGED`. For a TABLE source, the
    latest table is updated for the keys landed. A loader lands each partition's records in offset
    order, after everything already landed, so the newest of the state and the batch wins; with
    ``out_of_order`` (records landed late, such as replayed dead letters) the keys' whole history
    decides instead.
    """
    # In the order of ``staged`` (a loader's batch: partition, offset), not sorted again here.
    rows = f"(SELECT * FROM {staged} WHERE reason IS NULL)"
    return _land(con, definition, landing_select(definition, rows), out_of_order)


def land_records(con: duckdb.DuckDBPyConnection, definition: SourceDefinition, records: str) -> int:
    """Land the rows of relation ``records`` as they are, without classification; return how many.

    ``records`` has the columns partition, offset, timestamp_ms, key, headers, text (the value as
    text, NULL for a tombstone). Values are typed as a definition change re-types history: a field
    that does not fit its column reads as NULL. For records known to be loadable (tests, benchmarks).
    """
    return _land(con, definition, landing_select(definition, records, from_text=True), out_of_order=True)


def _land(
    con: duckdb.DuckDBPyConnection, definition: SourceDefinition, select: str, out_of_order: bool
) -> int:
    """Insert the landing rows of ``select``; for a TABLE source, update its latest rows too."""
    if definition.kind != "TABLE":
        (landed,) = one_row(con.execute(f"INSERT INTO {raw_table(definition)} {select}"))
        return int(landed)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_LANDED} AS {select}")
    try:
        (landed,) = one_row(con.execute(f"INSERT INTO {raw_table(definition)} SELECT * FROM temp.{_LANDED}"))
        _update_latest(con, definition, out_of_order)
    finally:
        con.execute(f"DROP TABLE IF EXISTS temp.{_LANDED}")
    return int(landed)


def rebuild_latest(con: duckdb.DuckDBPyConnection, definition: SourceDefinition) -> None:
    """Recompute a TABLE source's latest rows from every landed record (after records were removed)."""
    if definition.kind != "TABLE":
        return
    con.execute(f"DELETE FROM {latest_table(definition)}")
    con.execute(f"INSERT INTO {latest_table(definition)} {latest_select(definition, raw_table(definition))}")


def _update_latest(con: duckdb.DuckDBPyConnection, definition: SourceDefinition, out_of_order: bool) -> None:
    if out_of_order:
        _recompute_latest(con, definition)
        return
    # In order: each key's newest landed row competes with its state row only. The winners are
    # chosen over narrow rows (key, recency, where from), then only the landed winners are copied.
    key, latest = quote_ident(KEY), latest_table(definition)
    newest = recency(definition)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {_WINNERS} AS
        SELECT {key}, arg_max(landed, {newest}) AS landed, arg_max(ROWPARTITION, {newest}) AS p,
               arg_max(ROWOFFSET, {newest}) AS o, bool_or(NOT landed) AS stored
        FROM (SELECT {key}, ROWPARTITION, ROWOFFSET, {quote_ident(TOPIC)}, {quote_ident(TIMESTAMP)}, false AS landed
              FROM {latest} WHERE {key} IN (SELECT {key} FROM temp.{_LANDED})
              UNION ALL
              SELECT {key}, ROWPARTITION, ROWOFFSET, {quote_ident(TOPIC)}, {quote_ident(TIMESTAMP)}, true
              FROM temp.{_LANDED} WHERE {key} IS NOT NULL)
        GROUP BY {key}"""
    )
    try:
        replaced = f"(SELECT {key} FROM temp.{_WINNERS} WHERE landed AND stored)"
        if one_row(con.execute(f"SELECT count(*) FROM {replaced}"))[0]:  # new keys only: no scan
            con.execute(f"DELETE FROM {latest} WHERE {key} IN {replaced}")
        names = ", ".join(f"l.{quote_ident(name)}" for name, _ in latest_columns(definition))
        con.execute(
            f"""INSERT INTO {latest} SELECT {names} FROM temp.{_LANDED} AS l JOIN temp.{_WINNERS} AS w
                ON w.landed AND l.{key} = w.{key} AND l.ROWPARTITION = w.p AND l.ROWOFFSET = w.o
                WHERE l.{quote_ident(VALUE)} IS NOT NULL"""  # a winning tombstone only deletes
        )
    finally:
        con.execute(f"DROP TABLE IF EXISTS temp.{_WINNERS}")


def _recompute_latest(con: duckdb.DuckDBPyConnection, definition: SourceDefinition) -> None:
    """Recompute the latest rows of the keys just landed from their whole history (records landed late)."""
    key = quote_ident(KEY)
    keys = f"(SELECT DISTINCT {key} FROM temp.{_LANDED} WHERE {key} IS NOT NULL)"
    candidates = f"(SELECT * FROM {raw_table(definition)} WHERE {key} IN {keys})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_WINNERS} AS {latest_select(definition, candidates)}")
    try:
        con.execute(f"DELETE FROM {latest_table(definition)} WHERE {key} IN {keys}")
        con.execute(f"INSERT INTO {latest_table(definition)} SELECT * FROM temp.{_WINNERS}")
    finally:
        con.execute(f"DROP TABLE IF EXISTS temp.{_WINNERS}")
