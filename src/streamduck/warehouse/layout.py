"""The warehouse layout: per source, a typed landing table, a view users query, and (TABLE
sources) the materialized latest row per key. The tables are created by
:mod:`~streamduck.warehouse.schema`; this module decides their content and builds the views.

- ``raw."<NAME>"``: every loaded record, at most once per ``(ROWPARTITION, ROWOFFSET)``: the declared
  columns with their DuckDB types, ROWTIME, ROWPARTITION, ROWOFFSET, then the record as it came
  (``__key``, ``__headers``, ``__timestamp_ms``, ``__value``: the value's bytes as text, zstd). No
  index enforces uniqueness (an ART primary key made every insert slower and grew memory with the
  table): the loader drops records below the partition's stored ``next_offset`` in the same transaction.
- ``latest."<NAME>"`` (TABLE sources): the newest record per key (by offset, then timestamp) that is
  not a tombstone, maintained in each batch's transaction (:mod:`~streamduck.warehouse.landing`).
- ``main."<NAME>"``: the view users query, named like ksqlDB names the source: the declared columns
  plus ROWTIME, ROWPARTITION, ROWOFFSET, over the landing table (STREAM) or the latest table (TABLE).

A definition whose columns or their reading changes (``CREATE OR REPLACE``, or a layout from an
older release) re-types every loaded record from its kept bytes, in the caller's transaction.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from streamduck.ksql.model import Column, SourceDefinition
from streamduck.warehouse.coerce import (
    column_duckdb_type,
    column_typed_value,
    field_json,
    json_field_projections,
    typed_value,
)
from streamduck.warehouse.connection import one_row
from streamduck.warehouse.schema import (
    HEADERS,
    INTERNAL_SCHEMA,
    KEY,
    RAW_SCHEMA,
    TIMESTAMP,
    TOPIC,
    VALUE,
    check_column_names,
    create_source_tables,
    landing_columns,
    landing_recipe,
    latest_columns,
    latest_table,
    migrate,
    raw_table,
    record_landing_recipe,
    replace_source_tables,
)
from streamduck.warehouse.sqltext import json_pointer, qualified, quote_ident, quote_string

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "INTERNAL_SCHEMA",
    "RAW_SCHEMA",
    "apply_source",
    "convert_catalog_sources",
    "ensure_internal",
    "ensure_source",
    "history_select",
    "landing_select",
    "latest_select",
    "parsed_relation",
    "recency",
    "raw_table",
    "view_name",
]


def ensure_internal(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the internal schema to the current version (see :mod:`~streamduck.warehouse.schema`)."""
    migrate(con)


def view_name(definition: SourceDefinition) -> str:
    """Quoted name of the source's view."""
    return qualified("main", definition.name)


def ensure_source(con: duckdb.DuckDBPyConnection, definition: SourceDefinition) -> None:
    """:func:`apply_source` in a transaction of its own (after bringing the internal schema up to date)."""
    migrate(con)
    con.execute("BEGIN TRANSACTION")
    try:
        apply_source(con, definition)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def apply_source(con: duckdb.DuckDBPyConnection, definition: SourceDefinition) -> bool:
    """Make the source's tables and view match ``definition``, inside the caller's transaction.

    New source: its tables are created. Changed columns (added, dropped, retyped, read from
    elsewhere): the loaded records are re-typed from their kept bytes. Returns True when the
    records were re-typed.
    """
    check_column_names(definition)
    recipe = _recipe(definition)
    if not _exists(con, RAW_SCHEMA, definition.name):
        create_source_tables(con, definition)
        rebuilt = False
    elif landing_recipe(con, definition) != recipe:
        replace_source_tables(
            con, definition, _retyped(con, definition), latest_select(definition, raw_table(definition))
        )
        rebuilt = True
    else:
        create_source_tables(con, definition)  # the latest table, if a TABLE source lost it
        rebuilt = False
    record_landing_recipe(con, definition, recipe)
    con.execute(f"CREATE OR REPLACE VIEW {view_name(definition)} AS {view_query(definition)}")
    return rebuilt


def convert_catalog_sources(con: duckdb.DuckDBPyConnection) -> None:
    """Re-type the landing tables of every source the catalog knows (the version-2 migration)."""
    import logging

    from streamduck.errors import DefinitionError
    from streamduck.ksql.parser import parse_text
    from streamduck.ksql.sources import definition_from

    rows = con.execute(
        f"SELECT name, statement FROM {INTERNAL_SCHEMA}.definitions WHERE origin = 'source' ORDER BY name"
    ).fetchall()
    for name, statement in rows:
        try:
            (parsed,) = parse_text(statement)
            definition = definition_from(parsed)
        except DefinitionError as exc:  # rules got stricter since: converted when next applied
            logging.getLogger(__name__).warning("source %s kept in its old layout: %s", name, exc)
            continue
        if _exists(con, RAW_SCHEMA, definition.name):
            apply_source(con, definition)


def _exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    (found,) = one_row(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = ? AND table_name = ?",
            [schema, name],
        )
    )
    return bool(found)


def _recipe(definition: SourceDefinition) -> str:
    """Everything that decides the landing table's typed content, as JSON (compared on each open)."""
    recipe: dict[str, object] = {
        "kind": definition.kind,
        "columns": [[c.name, c.type, c.role, c.source_name] for c in definition.columns],
        "key_format": definition.key_format,
        "timestamp": definition.timestamp,
        "timestamp_format": definition.timestamp_format,
    }
    if definition.window_type is not None:  # only then: unwindowed sources keep their recorded recipe
        recipe["window"] = [definition.window_type, definition.window_size_ms]
    return json.dumps(recipe)


def _retyped(con: duckdb.DuckDBPyConnection, definition: SourceDefinition) -> str:
    """Landing rows re-typed from the current landing table's kept bytes (either layout)."""
    columns = {
        name
        for (name,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = ? AND table_name = ?",
            [RAW_SCHEMA, definition.name],
        ).fetchall()
    }
    if VALUE in columns:
        record = (
            f'SELECT ROWPARTITION AS "partition", ROWOFFSET AS "offset", {quote_ident(TIMESTAMP)} AS timestamp_ms, '
            f'{quote_ident(KEY)} AS "key", {quote_ident(HEADERS)} AS headers, {quote_ident(VALUE)} AS text, '
            f"{quote_ident(TOPIC)} AS topic FROM {raw_table(definition)}"
        )
    else:  # the layout before typed landing tables: the JSON text in "value"
        record = (
            'SELECT "partition", "offset", timestamp_ms, "key", headers, "value" AS text, topic '
            f"FROM {raw_table(definition)}"
        )
    return landing_select(definition, f"({record})", from_text=True, topic="topic")


def landing_select(
    definition: SourceDefinition, records: str, *, from_text: bool = False, topic: str | None = None
) -> str:
    """SELECT of landing-table rows (in column order) from the relation ``records``.

    ``records`` has the columns partition, offset, timestamp_ms, key, headers, text (the value as
    text, NULL for a tombstone) and, unless ``from_text``, ``t_0``, ``t_1``, ... the typed value
    columns (as classification stages them); with ``from_text`` they are parsed from ``text``.
    ``topic``: the column of ``records`` holding each record's topic (default: the definition's).
    """
    typed = {c.name: f"t_{i}" for i, c in enumerate(definition.value_columns)}
    if from_text:
        typed = {c.name: column_typed_value(field_json("text", c.field), c) for c in definition.value_columns}
        records = parsed_relation(definition, records, "text")
    values = {c.name: typed.get(c.name) or _record_column(definition, c) for c in definition.columns}
    columns = [f"{values[c.name]} AS {quote_ident(c.name)}" for c in definition.columns]
    columns += [
        f"{_rowtime(definition, values)} AS ROWTIME",
        '"partition" AS ROWPARTITION',
        '"offset" AS ROWOFFSET',
        f"{topic or quote_string(definition.topic)} AS {quote_ident(TOPIC)}",
        f'"key" AS {quote_ident(KEY)}',
        f"headers AS {quote_ident(HEADERS)}",
        f"timestamp_ms AS {quote_ident(TIMESTAMP)}",
        f"text AS {quote_ident(VALUE)}",
    ]
    if len(columns) != len(landing_columns(definition)):
        raise AssertionError("landing_select out of step with schema.landing_columns")
    return "SELECT " + ",\n  ".join(columns) + f"\nFROM {records} AS records"


def latest_select(definition: SourceDefinition, landed: str) -> str:
    """SELECT of the latest rows per key among the landing rows of relation ``landed``, for a TABLE
    source: the newest record (:func:`recency`) wins, and a winning tombstone deletes the key."""
    names = ", ".join(quote_ident(name) for name, _ in latest_columns(definition))
    newest = (
        f"SELECT * FROM {landed} WHERE {quote_ident(KEY)} IS NOT NULL QUALIFY row_number() OVER "
        f"(PARTITION BY {quote_ident(KEY)} ORDER BY {recency(definition)} DESC) = 1"
    )
    return f"SELECT {names} FROM ({newest}) WHERE {quote_ident(VALUE)} IS NOT NULL"


def history_select(name: str, topic: str) -> str:
    """SELECT of every version a TABLE source's rows ever had (its landed records that are not
    deletes, of the topic's current incarnation): what an aggregation over the table has seen."""
    return (
        f"SELECT * FROM {qualified(RAW_SCHEMA, name)} WHERE {quote_ident(VALUE)} IS NOT NULL "
        f"AND {quote_ident(KEY)} IS NOT NULL AND {quote_ident(TOPIC)} = {quote_string(topic)}"
    )


def recency(definition: SourceDefinition) -> str:
    """How new a landing row is, as a value to order by (greater: newer): a record of the topic's
    current incarnation, then by offset, then by timestamp (the partition only breaks exact ties).

    An earlier incarnation's rows (marked "<topic>@<id>" by streamduck.load.reposition) reuse
    offsets, so theirs compare with nothing: they come first.
    """
    current = f"({quote_ident(TOPIC)} = {quote_string(definition.topic)})"
    return f"({current}, ROWOFFSET, {quote_ident(TIMESTAMP)}, ROWPARTITION)"


def view_query(definition: SourceDefinition) -> str:
    """SELECT text of the view: declared columns plus ROWTIME, ROWPARTITION, ROWOFFSET."""
    columns = [quote_ident(c.name) for c in definition.columns] + ["ROWTIME", "ROWPARTITION", "ROWOFFSET"]
    if definition.window_type is not None:  # the window each record's key names, as ksqlDB shows it
        from streamduck.warehouse.windowed_keys import window_bounds_sql

        start, end = window_bounds_sql(quote_ident(KEY), definition.window_type, definition.window_size_ms)
        columns += [f"{start} AS WINDOWSTART", f"{end} AS WINDOWEND"]
    table = raw_table(definition) if definition.kind == "STREAM" else latest_table(definition)
    return f"SELECT {', '.join(columns)} FROM {table}"


def _record_column(definition: SourceDefinition, column: Column) -> str:
    """Typed SQL for a key or header column, over the record's ``key`` and ``headers``."""
    target = column_duckdb_type(column)
    if column.role in ("key", "primary_key"):
        return _key_expression(definition, column, target)
    if column.role == "headers":
        if column.source_name:  # HEADER('k'): the last value of that header, as ksqlDB
            return f'list_filter(headers, lambda h: h."key" = {quote_string(column.source_name)})[-1]."value"'
        return "headers"
    raise AssertionError(f"{column.name} is a value column")


def parsed_relation(definition: SourceDefinition, relation: str, text: str = '"value"') -> str:
    """``relation``'s rows plus the JSON ``text`` column parsed once for :func:`field_json`."""
    fields = [c.field for c in definition.value_columns]
    parsed = ", ".join(f"{expr} AS {alias}" for alias, expr in json_field_projections(text, fields).items())
    return f"(SELECT *, {parsed} FROM {relation})"


def _key_expression(definition: SourceDefinition, column: Column, target: str) -> str:
    from streamduck.warehouse.kafka_keys import kafka_key_sql
    from streamduck.warehouse.windowed_keys import inner_key_sql

    key = inner_key_sql(quote_ident("key"), definition.window_type)  # a windowed key ends with its window
    if definition.key_format.upper() == "DELIMITED":  # one text field
        return f"TRY_CAST(TRY(decode({key})) AS {target})"
    if definition.key_format.upper() != "JSON":
        return f"TRY_CAST({kafka_key_sql(key, column.type)} AS {target})"
    text = f"TRY(decode({key}))"
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


def _rowtime(definition: SourceDefinition, values: dict[str, str]) -> str:
    """ROWTIME: the record timestamp, or the ``timestamp`` column's value when the definition names one."""
    column = next((c for c in definition.columns if c.name == definition.timestamp), None)
    if column is None:
        return "timestamp_ms"
    value = values[column.name]
    if column.type == "BIGINT":  # epoch milliseconds, as ROWTIME itself
        return f"coalesce({value}, timestamp_ms)"
    if column.type == "STRING" and definition.timestamp_format:
        from streamduck.ksql.compile_datetime import parse_sql

        parsed, zoned = parse_sql(value, definition.timestamp_format)
        instant = f"timezone('UTC', {parsed})" if zoned else parsed
        return f"coalesce(epoch_ms({instant}), timestamp_ms)"
    return f"coalesce(epoch_ms(TRY_CAST({value} AS TIMESTAMP)), timestamp_ms)"
