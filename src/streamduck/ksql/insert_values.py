"""``INSERT INTO source [(columns)] VALUES (...)``: the record ksqlDB would produce for it.

As ksqlDB's ``InsertValuesExecutor``: without a column list a value is expected for every key
column then every value column; ``ROWTIME`` may be given (the record's timestamp, else now); a
missing column is NULL; a TABLE needs its primary key. Each value is a ksqlDB expression, evaluated
once and coerced to its column's type only by widening (INT -> BIGINT -> DECIMAL -> DOUBLE; a
string to a date/time type); anything else fails with ksqlDB's "Expected type ..." message. The key
and value are serialized in the source's KEY_FORMAT and VALUE_FORMAT, as the loader reads them back
(a windowed source's key also carries WINDOWSTART/WINDOWEND, which must then be given).

This module only builds the record; ``ksql apply`` produces it (:mod:`streamduck.ksql.apply`).
"""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from streamduck.errors import DefinitionError
from streamduck.ksql.names import WINDOW_BOUNDS, ksql_name

if TYPE_CHECKING:
    import duckdb
    from sqlglot import exp

    from streamduck.ksql.model import Column, SourceDefinition
    from streamduck.ksql.parser import Statement

__all__ = ["PendingRecord", "build_record"]


@dataclass(frozen=True)
class PendingRecord:
    """One record an INSERT ... VALUES produces, serialized."""

    target: str
    topic: str
    key: bytes | None
    value: bytes | None
    timestamp_ms: int


# DuckDB types a value of each type may be widened into (ksqlDB's DefaultSqlValueCoercer).
_WIDENS = {
    "INTEGER": ("INTEGER", "BIGINT", "DECIMAL", "DOUBLE"),
    "BIGINT": ("BIGINT", "DECIMAL", "DOUBLE"),
    "DECIMAL": ("DECIMAL", "DOUBLE"),
    "DOUBLE": ("DOUBLE",),
    "VARCHAR": ("VARCHAR", "TIMESTAMP", "DATE", "TIME"),
    "BOOLEAN": ("BOOLEAN",),
}
_KSQL_TYPE_NAMES = {"INTEGER": "INTEGER", "BIGINT": "BIGINT", "DOUBLE": "DOUBLE", "VARCHAR": "STRING"}


def build_record(con: duckdb.DuckDBPyConnection, statement: Statement) -> PendingRecord:
    """The record ``statement`` (an INSERT ... VALUES) produces to its target's topic.

    Raises:
        DefinitionError: unknown target or column, a value that does not fit its column (ksqlDB's
            words, after ``Failed to insert values into 'NAME'.``).
    """
    from streamduck.ksql import catalog
    from streamduck.ksql.parser import parse_text
    from streamduck.ksql.sources import definition_from

    node = statement.expression
    name = ksql_name(node.this)
    entry = catalog.entry(con, name)
    if entry is None:
        raise DefinitionError(f"Cannot insert values into an unknown stream/table: {name}")
    if entry.origin != "source":
        raise DefinitionError(
            f"Cannot insert values into {name}: it is derived by a query (a view over what it reads), "
            "not read from its topic"
        )
    definition = definition_from(parse_text(entry.statement)[0])
    try:
        values = _values(con, definition, node)
        return PendingRecord(
            name,
            definition.topic,
            _key_bytes(con, definition, values),
            _value_bytes(con, definition, values),
            _timestamp(values),
        )
    except DefinitionError as exc:
        raise DefinitionError(f"Failed to insert values into '{name}'. {exc}") from None


def _timestamp(values: dict[str, Any]) -> int:
    """ROWTIME when given, else now (as ksqlDB's clock)."""
    given = values.get("ROWTIME", {}).get("value")
    return int(given) if given is not None else int(time.time() * 1000)


def _values(con: duckdb.DuckDBPyConnection, definition: SourceDefinition, node: exp.Expr) -> dict[str, Any]:
    """Column name -> {"value": Python value, "sql": typed SQL literal} of every column given."""
    from streamduck.ksql.compile_query import _ksql_text

    expressions = list(node.args.get("values") or [])
    writable = [c for c in definition.columns if c.role != "headers"]
    names = [ksql_name(c) for c in node.args.get("columns") or []]
    if not names:
        names = [c.name for c in definition.key_columns] + [c.name for c in definition.value_columns]
        if len(names) != len(expressions):
            raise DefinitionError(
                f"Expected a value for each column. Expected Columns: [{', '.join(names)}]. "
                f"Got [{', '.join(_ksql_text(e) for e in expressions)}]"
            )
    elif len(names) != len(expressions):
        raise DefinitionError(
            f"Expected number columns and values to match: [{', '.join(names)}], "
            f"[{', '.join(_ksql_text(e) for e in expressions)}]"
        )
    types = {c.name: c for c in writable}
    allowed = set(types) | {"ROWTIME"} | (set(WINDOW_BOUNDS) if definition.window_type else set())
    for column in names:
        if column not in allowed:
            raise DefinitionError(f"Column name {column} does not exist.")
    if definition.kind == "TABLE":
        missing = [c.name for c in definition.key_columns if c.name not in names]
        if missing:
            raise DefinitionError(
                f"Value for primary key column(s) {', '.join(missing)} is required for tables"
            )
    if definition.window_type is not None:
        needed = ["WINDOWSTART", "WINDOWEND"] if definition.window_type == "SESSION" else ["WINDOWSTART"]
        if any(b not in names for b in needed):
            raise DefinitionError(
                f"Cannot insert values into windowed stream/table without {' and '.join(needed)}!"
            )
    return {
        column: _evaluate(con, expr, column, types.get(column))
        for column, expr in zip(names, expressions, strict=True)
    }


def _evaluate(
    con: duckdb.DuckDBPyConnection, expr: exp.Expr, column: str, target: Column | None
) -> dict[str, Any]:
    """One value: the expression compiled as ksqlDB SQL, run once, coerced to the column's type."""
    from sqlglot import exp as sql

    from streamduck.ksql.compile import compile_select
    from streamduck.warehouse.coerce import column_duckdb_type

    select = sql.select(sql.alias_(expr.copy(), "V", quoted=True)).from_("__VALUES")
    compiled = compile_select(select, {"__VALUES": [("__ONE", "INTEGER")]}, {"__VALUES": "STREAM"})
    query = f'WITH "__VALUES" AS (SELECT 1 AS "__ONE") {compiled.sql}'
    try:
        ((got_type, *_),) = [row[1:] for row in con.execute(f"DESCRIBE {query}").fetchall()]
        (value,) = con.execute(query).fetchone() or (None,)
    except Exception as exc:  # DuckDB's binder and runtime have the last word
        raise DefinitionError(str(exc).strip().splitlines()[0]) from None
    wanted = column_duckdb_type(target) if target is not None else "BIGINT"  # ROWTIME, window bounds
    if value is not None and not _widens(str(got_type), wanted):
        shown = "STRING" if str(got_type) == "VARCHAR" else str(got_type).split("(")[0]
        raise DefinitionError(
            f"Expected type {_ksql_type(target, wanted)} for field {column} but got {shown}({value})"
        )
    sql_value = f"CAST(({query}) AS {wanted})"
    try:
        (typed,) = con.execute(f"SELECT {sql_value}").fetchone() or (None,)
    except Exception as exc:
        raise DefinitionError(
            f"Expected type {_ksql_type(target, wanted)} for field {column} but got {value!r}: "
            f"{str(exc).strip().splitlines()[0]}"
        ) from None
    return {"value": typed, "sql": sql_value, "type": wanted}


def _widens(got: str, wanted: str) -> bool:
    got_base, wanted_base = got.upper().split("(")[0], wanted.upper().split("(")[0]
    if got_base == "NULL" or got_base == wanted_base:
        return True
    if got_base in ("INTEGER", "BIGINT", "DECIMAL", "DOUBLE", "VARCHAR", "BOOLEAN"):
        return wanted_base in _WIDENS[got_base]
    return True  # structured values: DuckDB's cast checks them field by field


def _ksql_type(target: Column | None, wanted: str) -> str:
    if target is None:
        return "BIGINT"
    from streamduck.ksql.sources import sql_type_text

    return sql_type_text(target.type)


def _key_bytes(
    con: duckdb.DuckDBPyConnection, definition: SourceDefinition, values: dict[str, Any]
) -> bytes | None:
    from streamduck.warehouse.windowed_keys import windowed_key

    keys = definition.key_columns
    fmt = definition.key_format.upper()
    if not keys or fmt == "NONE" or all(values.get(c.name, {}).get("value") is None for c in keys):
        data = None  # no key: a null record key
    elif fmt == "JSON":
        data = _json(con, definition, keys, values, wrap=len(keys) > 1).encode()
    elif fmt == "DELIMITED":
        data = _delimited([values.get(c.name, {}).get("value") for c in keys]).encode()
    else:
        data = _kafka_bytes(keys[0], values[keys[0].name]["value"])
    if definition.window_type is None:
        return data
    return windowed_key(
        data or b"",
        definition.window_type,
        values["WINDOWSTART"]["value"],
        values.get("WINDOWEND", {}).get("value"),
    )


def _value_bytes(
    con: duckdb.DuckDBPyConnection, definition: SourceDefinition, values: dict[str, Any]
) -> bytes:
    columns = definition.value_columns
    fmt = definition.value_format.upper()
    if fmt == "DELIMITED":
        return _delimited([values.get(c.name, {}).get("value") for c in columns]).encode()
    if fmt == "KAFKA":
        value = values.get(columns[0].name, {}).get("value")
        return b"" if value is None else _kafka_bytes(columns[0], value)
    return _json(con, definition, columns, values, wrap=definition.wrap_single_value is not False).encode()


def _json(
    con: duckdb.DuckDBPyConnection,
    definition: SourceDefinition,
    columns: tuple[Column, ...],
    values: dict[str, Any],
    *,
    wrap: bool,
) -> str:
    """JSON as ksqlDB's serde writes it (see transform.encode): an object, or one unwrapped value."""
    from streamduck.transform.encode import json_scalar_sql, json_value_sql
    from streamduck.warehouse.coerce import column_duckdb_type
    from streamduck.warehouse.sqltext import quote_ident

    typed = ", ".join(
        f"{values[c.name]['sql'] if c.name in values else 'NULL'}::{column_duckdb_type(c)} AS {quote_ident(c.name)}"
        for c in columns
    )
    if wrap:
        shape = json_value_sql([(c.name, column_duckdb_type(c)) for c in columns])
    else:
        shape = f"to_json({json_scalar_sql(columns[0].name, column_duckdb_type(columns[0]))})::VARCHAR"
    (text,) = con.execute(f"SELECT {shape} FROM (SELECT {typed})").fetchone() or ("null",)
    return str(text)


def _kafka_bytes(column: Column, value: Any) -> bytes:
    """A KAFKA-format key or value: Kafka's primitive serializers (as a transform writes keys)."""
    from streamduck.transform.encode import KeyEncoder
    from streamduck.warehouse.coerce import column_duckdb_type

    (data,) = KeyEncoder("KAFKA", [column_duckdb_type(column)]).encode_all([value])
    assert data is not None, "a NULL value has no bytes"
    return data


def _delimited(fields: list[Any]) -> str:
    """One CSV line (ksqlDB's DELIMITED serde: NULL as an empty field, quotes where needed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="")
    writer.writerow(["" if v is None else _text(v) for v in fields])
    return out.getvalue()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)
