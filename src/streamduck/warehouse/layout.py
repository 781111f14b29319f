"""The warehouse layout: internal tables, one raw landing table and one typed view per source.

Every table is created by :mod:`~streamduck.warehouse.schema`; this module builds the views.

- ``_streamduck.offsets``, ``dead_letters``, ``load_history``, ``schema_drift``: the loader's state,
  committed in the same transaction as the rows they describe (see docs/loader.md for every column).
- ``raw."<NAME>"``: every loaded record, lossless, at most once per ``(partition, offset)``. No
  index enforces that (an ART primary key made every insert slower and grew memory with the table):
  the loader drops records below the partition's stored ``next_offset`` in the same transaction.
- ``main."<NAME>"``: the typed view users query, named like ksqlDB names the source; a TABLE
  source shows the latest row per key, and a tombstone (null value) deletes the key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamduck.ksql.model import Column, SourceDefinition
from streamduck.warehouse.coerce import (
    column_duckdb_type,
    column_typed_value,
    field_json,
    json_field_projections,
    typed_value,
)
from streamduck.warehouse.schema import INTERNAL_SCHEMA, RAW_SCHEMA, create_source_tables, migrate, raw_table
from streamduck.warehouse.sqltext import json_pointer, qualified, quote_ident, quote_string

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "INTERNAL_SCHEMA",
    "RAW_SCHEMA",
    "column_expression",
    "ensure_internal",
    "ensure_source",
    "parsed_relation",
    "raw_table",
    "view_name",
]


def ensure_internal(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the internal schema to the current version (see :mod:`~streamduck.warehouse.schema`)."""
    migrate(con)


def view_name(definition: SourceDefinition) -> str:
    """Quoted name of the source's typed view."""
    return qualified("main", definition.name)


def ensure_source(con: duckdb.DuckDBPyConnection, definition: SourceDefinition) -> None:
    """Bring the internal schema up to date, create the source's tables and (re)create its view."""
    migrate(con)
    create_source_tables(con, definition)
    con.execute(f"CREATE OR REPLACE VIEW {view_name(definition)} AS {view_query(definition)}")


def column_expression(definition: SourceDefinition, column: Column) -> str:
    """Typed SQL for one declared column, over :func:`parsed_relation` (raw row + parsed value)."""
    target = column_duckdb_type(column)
    if column.role in ("key", "primary_key"):
        return _key_expression(definition, column, target)
    if column.role == "headers":
        if column.source_name:  # HEADER('k'): the last value of that header, as ksqlDB
            return f'list_filter(headers, lambda h: h."key" = {quote_string(column.source_name)})[-1]."value"'
        return "headers"
    return column_typed_value(field_json('"value"', column.field), column)


def parsed_relation(definition: SourceDefinition, relation: str) -> str:
    """``relation``'s rows plus the value parsed once for :func:`column_expression`."""
    fields = [c.field for c in definition.value_columns]
    parsed = ", ".join(
        f"{expr} AS {alias}" for alias, expr in json_field_projections('"value"', fields).items()
    )
    return f"(SELECT *, {parsed} FROM {relation})"


def _key_expression(definition: SourceDefinition, column: Column, target: str) -> str:
    from streamduck.warehouse.kafka_keys import kafka_key_sql

    if definition.key_format.upper() == "DELIMITED":  # one text field
        return f"TRY_CAST(TRY(decode({quote_ident('key')})) AS {target})"
    if definition.key_format.upper() != "JSON":
        return f"TRY_CAST({kafka_key_sql(quote_ident('key'), column.type)} AS {target})"
    text = 'TRY(decode("key"))'
    key_json = f"(CASE WHEN json_valid({text}) THEN {text}::JSON END)"
    if len(definition.key_columns) > 1:  # a multi-column JSON key is an object
        key_json = _object_field(key_json, column.field)
    return typed_value(key_json, target)


def _object_field(json_expr: str, field: str) -> str:
    """Top-level ``field`` of a JSON object, matched as ksqlDB does: exactly, else in any case."""
    any_case = (
        f"json_extract({json_expr}, '/' || replace(replace(list_filter(json_keys({json_expr}), "
        f"lambda k: upper(k) = {quote_string(field.upper())})[1], '~', '~0'), '/', '~1'))"
    )
    return f"coalesce(json_extract({json_expr}, {json_pointer(field)}), {any_case})"


def _rowtime(definition: SourceDefinition) -> str:
    if not definition.timestamp:
        return "timestamp_ms"
    column = next((c for c in definition.columns if c.name == definition.timestamp), None)
    if column is None:
        return "timestamp_ms"
    value = column_expression(definition, column)
    if column.type == "BIGINT":  # epoch milliseconds, as ROWTIME itself
        return f"coalesce({value}, timestamp_ms)"
    if column.type == "STRING" and definition.timestamp_format:
        from streamduck.ksql.compile_datetime import parse_sql

        parsed, zoned = parse_sql(value, definition.timestamp_format)
        instant = f"timezone('UTC', {parsed})" if zoned else parsed
        return f"coalesce(epoch_ms({instant}), timestamp_ms)"
    return f"coalesce(epoch_ms(TRY_CAST({value} AS TIMESTAMP)), timestamp_ms)"


def view_query(definition: SourceDefinition) -> str:
    """SELECT text of the typed view: declared columns plus ROWTIME, ROWPARTITION, ROWOFFSET."""
    columns = [f"{column_expression(definition, c)} AS {quote_ident(c.name)}" for c in definition.columns]
    columns += [f"{_rowtime(definition)} AS ROWTIME", '"partition" AS ROWPARTITION', '"offset" AS ROWOFFSET']
    select = ",\n  ".join(columns)
    if definition.kind == "STREAM":
        rows = f'(SELECT * FROM {raw_table(definition)} WHERE "value" IS NOT NULL)'
    else:  # TABLE: the newest record per key wins; a tombstone as newest record deletes the key.
        # Records of the topic's current incarnation come first: an earlier one's rows (marked
        # "<topic>@<id>" by streamduck.load.reposition) reuse offsets, so theirs compare with nothing.
        current = f"(topic = {quote_string(definition.topic)})"
        rows = (
            f'(SELECT * FROM {raw_table(definition)} WHERE "key" IS NOT NULL '
            f'QUALIFY row_number() OVER (PARTITION BY "key" ORDER BY {current} DESC, "offset" DESC, timestamp_ms DESC) = 1)'
        )
        rows = f'(SELECT * FROM {rows} WHERE "value" IS NOT NULL)'
    return f"SELECT\n  {select}\nFROM {parsed_relation(definition, rows)} AS source"
