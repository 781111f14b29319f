"""Sorting a batch into loadable rows and dead letters, in DuckDB, with a reason per bad record.

Reason codes (also the producer's bad-record kinds): ``tombstone`` (null value on a STREAM),
``null_key`` (a TABLE record without key), ``oversized`` (value larger than ``max_value_bytes``),
``invalid_utf8``, ``not_json``, ``wrong_root_type`` (valid JSON that is not an object),
``wrong_field_type`` (a declared field present but not coercible to its type), ``invalid_key`` (a
KAFKA-format key of the wrong size for its INT/BIGINT/DOUBLE column, or a STRING key not UTF-8:
ksqlDB cannot deserialize it and skips the record).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from streamduck.ksql.model import SourceDefinition
from streamduck.load.fast_path import fast_path
from streamduck.warehouse.coerce import (
    column_typed_value,
    field_json,
    has_non_json_number,
    json_field_projections,
    last_value_per_key,
    uncoercible,
)
from streamduck.warehouse.connection import one_row
from streamduck.warehouse.kafka_keys import kafka_key_problem_sql
from streamduck.warehouse.sqltext import quote_string

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

__all__ = ["STAGED", "stage", "stage_to_arrow"]

STAGED = "_streamduck_staged"
"""Temporary table holding the classified batch: source columns + text, keys, reason, detail
(``value`` only for dead letters: loadable rows keep their value as ``text``), then ``t_0``, ``t_1``,
... the typed values of the definition's value columns (what the warehouse's typed table stores)."""


_FAST = "_streamduck_fast"
"""The fast statement's result, registered while the records it left undecided are classified."""

_UNDECIDED = "undecided"
"""The reason the fast statement gives the records it cannot prove valid, until full classification
replaces them (never committed)."""


def stage(
    con: duckdb.DuckDBPyConnection, definition: SourceDefinition, source: str, max_value_bytes: int
) -> None:
    """Classify the rows of relation ``source`` into the temp table :data:`STAGED`.

    ``source`` has the columns partition, offset, timestamp_ms, key, headers, value (BLOB). One
    statement stages every record, those the fast test proves valid with their typed values; the
    others, if any, are then replaced by their full classification, which gives each its reason.
    :data:`STAGED` is in (partition, offset) order when ``source`` is (as loader batches are).
    """
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {STAGED} AS {_fast_query(definition, source, max_value_bytes)}"
    )
    _decide_the_rest(con, definition, source, max_value_bytes)


def stage_to_arrow(
    con: duckdb.DuckDBPyConnection, definition: SourceDefinition, source: str, max_value_bytes: int
) -> pa.Table:
    """:func:`stage`, returning the classified rows as an Arrow table (the columns of :data:`STAGED`).

    When the fast statement decides every record (the usual case), its result is the table, with
    no temp table written and read back in between.
    """
    table = con.sql(_fast_query(definition, source, max_value_bytes)).to_arrow_table()
    if table.column("reason").null_count == table.num_rows:
        return table
    con.register(_FAST, table)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGED} AS SELECT * FROM {_FAST}")
    finally:
        con.unregister(_FAST)
    _decide_the_rest(con, definition, source, max_value_bytes)
    table = con.sql(f"SELECT * FROM {STAGED}").to_arrow_table()
    con.execute(f"DROP TABLE {STAGED}")
    return table


def _decide_the_rest(
    con: duckdb.DuckDBPyConnection, definition: SourceDefinition, source: str, max_value_bytes: int
) -> None:
    """Replace the rows of :data:`STAGED` the fast test left undecided by their full classification."""
    undecided = f'(SELECT "partition", "offset" FROM {STAGED} WHERE reason = \'{_UNDECIDED}\')'
    if not one_row(con.execute(f"SELECT count(*) FROM {undecided}"))[0]:
        return
    rest = f'(SELECT * FROM {source} WHERE ("partition", "offset") IN {undecided})'
    con.execute(f"INSERT INTO {STAGED} {_classify_query(definition, rest, max_value_bytes)}")
    con.execute(f"DELETE FROM {STAGED} WHERE reason = '{_UNDECIDED}'")
    # Rare (records that are not plainly valid): the batch is put back in order.
    con.execute(
        f'CREATE OR REPLACE TEMP TABLE {STAGED} AS SELECT * FROM {STAGED} ORDER BY "partition", "offset"'
    )


@functools.lru_cache(maxsize=64)
def _fast_query(definition: SourceDefinition, source: str, max_value_bytes: int) -> str:
    """Every record, the ones the fast test proves valid classified, the others marked undecided.

    No WHERE on computed columns: DuckDB pushes such a filter below the projection that computes
    them by repeating their expressions, so every parse would run twice.
    """
    from streamduck.ksql.types import duckdb_type

    fast = fast_path(definition)
    key_ok = '"key" IS NOT NULL' if definition.kind == "TABLE" else "true"
    key_ok = f"{key_ok} AND {_key_problem(definition)} IS NULL"
    typed = [
        f"CAST({expr} AS {duckdb_type(c.type)}) AS t_{i}"
        for i, (c, expr) in enumerate(zip(definition.value_columns, fast.typed, strict=True))
    ]
    return f"""
SELECT "partition", "offset", timestamp_ms, "key", headers, NULL::BLOB AS "value", text, _keys AS keys,
  CASE WHEN _t IS NOT NULL AND {key_ok} AND {fast.valid} THEN NULL ELSE '{_UNDECIDED}' END AS reason,
  NULL::VARCHAR AS detail{"".join(f", t_{i}" for i in range(len(typed)))}
FROM (SELECT *{"".join(f", {t}" for t in typed)}
  FROM (SELECT *, {fast.scalars()}
  FROM (SELECT *, CASE WHEN _t IS NOT NULL THEN json_keys(text) END AS _keys,
      CASE WHEN _t IS NOT NULL THEN TRY({fast.strings("text")}) END AS _s
    FROM (SELECT *, CASE WHEN text[1] = '{{' AND NOT {has_non_json_number("text")}
                    THEN TRY({fast.types("text")}) END AS _t
      FROM (SELECT *, {_decoded(max_value_bytes, definition)} AS text FROM {source})))))"""


def _decoded(max_value_bytes: int, definition: SourceDefinition | None = None) -> str:
    """The value as JSON object text; NULL when not UTF-8, and oversized values are not even decoded.

    Values in the other formats ksqlDB reads become the JSON object of their columns here, so one
    classification and one typed view serve them all (the stored text is that object).
    """
    from streamduck.warehouse.value_formats import as_json_object

    text = f'CASE WHEN octet_length("value") <= {int(max_value_bytes)} THEN TRY(decode("value")) END'
    return text if definition is None else as_json_object(text, '"value"', definition)


def _key_problem(definition: SourceDefinition) -> str:
    """Why the record key cannot be read as the KAFKA-format key column (NULL: it can, or no such column)."""
    keys = definition.key_columns
    if definition.key_format.upper() != "KAFKA" or len(keys) != 1:
        return "NULL::VARCHAR"
    if definition.window_type is not None:
        from streamduck.warehouse.windowed_keys import inner_key_sql

        inner = inner_key_sql('"key"', definition.window_type)
        short = f"CASE WHEN \"key\" IS NOT NULL AND {inner} IS NULL THEN 'key too short for a {definition.window_type} window' END"
        return f"coalesce({short}, {kafka_key_problem_sql(inner, keys[0].type)})"
    return kafka_key_problem_sql('"key"', keys[0].type)


def _field_layers(definition: SourceDefinition) -> tuple[str, str, str]:
    """Projections: each field's JSON (f_i), its typed value (t_i), and the first coercion error.

    Kept in separate query layers so each expression is evaluated once per row.
    """
    columns = definition.value_columns
    fields = ", ".join(f"{field_json('text', c.field)} AS f_{i}" for i, c in enumerate(columns))
    typed = ", ".join(f"{column_typed_value(f'f_{i}', c)} AS t_{i}" for i, c in enumerate(columns))
    checks = []
    for i, column in enumerate(columns):
        message = quote_string(f"field {column.field!r} is not a valid {column.type}: ")
        bad = uncoercible(f"f_{i}", f"t_{i}")
        checks.append(f"CASE WHEN {bad} THEN {message} || left(json_extract_string(f_{i}, '$'), 80) END")
    error = f"coalesce({', '.join(checks)})" if checks else "NULL::VARCHAR"
    return fields or "NULL AS f_none", typed or "NULL AS t_none", error


def _projections(definition: SourceDefinition) -> str:
    """Parse each JSON object once (non-objects get NULLs; from_json would reject them).

    An object that repeats a key is read with the key's last value, as ksqlDB reads it (DuckDB
    reads the first); :func:`_stored_text` stores it rewritten so.
    """
    fields = [c.field for c in definition.value_columns]
    projections = json_field_projections(_LAST_VALUES, fields)
    keys = projections.pop("_keys").replace(_LAST_VALUES, "text")
    return ", ".join(
        f"CASE WHEN root = 'OBJECT' THEN {expr} END AS {alias}"
        for alias, expr in {"_keys": keys, **projections}.items()
    )


_LAST_VALUES = (
    f"(CASE WHEN len(_keys) = list_unique(_keys) THEN text ELSE {last_value_per_key('text', '_keys')} END)"
)
"""The object with each key once at its last value; over the ``_keys`` of ``text`` (lateral alias)."""


@functools.lru_cache(maxsize=64)
def _classify_query(definition: SourceDefinition, source: str, max_value_bytes: int) -> str:
    is_table = definition.kind == "TABLE"
    null_value = "CASE WHEN \"key\" IS NULL THEN 'null_key' END" if is_table else "'tombstone'"
    missing_key = "WHEN \"key\" IS NULL THEN 'null_key'" if is_table else ""
    fields, typed, error = _field_layers(definition)
    return f"""
WITH decoded AS (
  SELECT *, {_decoded(max_value_bytes, definition)} AS text FROM {source}
), parsed AS (  -- one parse: the root type, NULL when the text is not JSON
  SELECT *, CASE WHEN NOT {has_non_json_number("text")} THEN TRY(json_type(text)) END AS root FROM decoded
), objects AS (
  SELECT *, {_projections(definition)} FROM parsed
), fields AS (
  SELECT *, {fields} FROM objects
), typed AS (
  SELECT *, {typed} FROM fields
), checked AS (
  SELECT *, _keys AS keys, CASE WHEN root = 'OBJECT' THEN {error} END AS field_error,
    {_key_problem(definition)} AS key_problem FROM typed
)
SELECT "partition", "offset", timestamp_ms, "key", headers, "value",
  CASE WHEN root = 'OBJECT' THEN {_LAST_VALUES} ELSE text END AS text, keys,
  CASE
    WHEN "value" IS NULL THEN {null_value}
    WHEN octet_length("value") > {int(max_value_bytes)} THEN 'oversized'
    WHEN text IS NULL THEN 'invalid_utf8'
    WHEN root IS NULL THEN 'not_json'
    WHEN root <> 'OBJECT' THEN 'wrong_root_type'
    WHEN field_error IS NOT NULL THEN 'wrong_field_type'
    {missing_key}
    WHEN key_problem IS NOT NULL THEN 'invalid_key'
  END AS reason,
  CASE
    WHEN "value" IS NULL THEN 'null value'
    WHEN octet_length("value") > {int(max_value_bytes)}
      THEN 'value of ' || octet_length("value") || ' bytes exceeds the limit of {int(max_value_bytes)}'
    WHEN text IS NULL THEN 'value is not valid UTF-8'
    WHEN root IS NULL THEN 'value is not valid JSON: ' || left(text, 80)
    WHEN root <> 'OBJECT' THEN 'JSON root is ' || root || ', expected OBJECT'
    ELSE coalesce(field_error, key_problem)
  END AS detail{_typed_columns([f"t_{i}" for i in range(len(definition.value_columns))])}
FROM checked"""


def _typed_columns(expressions: Sequence[str]) -> str:
    """``, expr AS t_0, ...``: the value columns' typed values, the last columns of :data:`STAGED`."""
    return "".join(f", {expr} AS t_{i}" for i, expr in enumerate(expressions))
