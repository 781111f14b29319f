"""ksqlDB's data types: canonical text, and the DuckDB type each one is stored as.

=====================  =====================  ==========================================
ksqlDB                 canonical text         DuckDB
=====================  =====================  ==========================================
BOOLEAN                BOOLEAN                BOOLEAN
INT / INTEGER          INT                    INTEGER
BIGINT                 BIGINT                 BIGINT
DOUBLE                 DOUBLE                 DOUBLE
DECIMAL(p, s)          DECIMAL(p, s)          DECIMAL(p, s)
STRING / VARCHAR       STRING                 VARCHAR
BYTES                  BYTES                  BLOB
DATE, TIME, TIMESTAMP  same                   DATE, TIME, TIMESTAMP (UTC, milliseconds)
ARRAY<T>               ARRAY<T>               T[]
MAP<K, V>              MAP<K, V>              MAP(K, V)
STRUCT<a T, ...>       STRUCT<A T, ...>       STRUCT("A" T, ...)
=====================  =====================  ==========================================

Struct field names follow ksqlDB's identifier rule: unquoted names are upper-cased.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamduck.errors import DefinitionError
from streamduck.ksql.names import ksql_name, quote_ksql, quote_sql

if TYPE_CHECKING:
    from sqlglot import exp

__all__ = ["UnsupportedType", "canonical_type", "duckdb_type", "duckdb_type_of", "parse_type"]


class UnsupportedType(DefinitionError):
    """A type ksqlDB (and so streamduck) does not have (callers add where it was written)."""


# sqlglot type name -> (ksqlDB canonical name, DuckDB name) for the scalar types.
_SCALARS = {
    "BOOLEAN": ("BOOLEAN", "BOOLEAN"),
    "INT": ("INT", "INTEGER"),
    "BIGINT": ("BIGINT", "BIGINT"),
    "DOUBLE": ("DOUBLE", "DOUBLE"),
    "TEXT": ("STRING", "VARCHAR"),
    "VARCHAR": ("STRING", "VARCHAR"),
    "VARBINARY": ("BYTES", "BLOB"),
    "DATE": ("DATE", "DATE"),
    "TIME": ("TIME", "TIME"),
    "TIMESTAMP": ("TIMESTAMP", "TIMESTAMP"),
}


def parse_type(text: str) -> exp.DataType:
    """Parse ksqlDB type text (``ARRAY<STRUCT<a INT>>``) into a sqlglot DataType."""
    from sqlglot import exp
    from sqlglot.errors import ParseError

    from streamduck.ksql.dialect import Ksql

    try:
        return exp.DataType.build(text, dialect=Ksql)
    except ParseError as exc:
        raise UnsupportedType(f"invalid type '{text}': {exc}") from None


def canonical_type(data_type: exp.DataType) -> str:
    """The canonical ksqlDB text of a parsed type, e.g. ``STRUCT<CITY STRING>``."""
    return _render(data_type, ksql=True)


def duckdb_type_of(data_type: exp.DataType) -> str:
    """The DuckDB type text of a parsed ksqlDB type."""
    return _render(data_type, ksql=False)


def duckdb_type(ksql_type: str) -> str:
    """The DuckDB type for ksqlDB type text: ``INT`` -> ``INTEGER``, ``ARRAY<STRING>`` -> ``VARCHAR[]``.

    Raises:
        UnsupportedType: not a ksqlDB type.
    """
    return duckdb_type_of(parse_type(ksql_type))


def _render(data_type: exp.DataType, ksql: bool) -> str:
    name = data_type.this.name
    params = data_type.expressions
    if name in _SCALARS:
        if params:  # STRING(10), INT(4): ksqlDB's types take no parameters
            written = ", ".join(p.sql() for p in params)
            raise UnsupportedType(
                f"Unexpected parameters for type {_SCALARS[name][0]}: {_SCALARS[name][0]}({written})"
            )
        return _SCALARS[name][0 if ksql else 1]
    if name == "DECIMAL":
        return _decimal(params)
    if name == "ARRAY" and len(params) == 1:
        inner = _render(params[0], ksql)
        return f"ARRAY<{inner}>" if ksql else f"{inner}[]"
    if name == "MAP" and len(params) == 2:
        key, value = (_render(p, ksql) for p in params)
        return f"MAP<{key}, {value}>" if ksql else f"MAP({key}, {value})"
    if name == "STRUCT":
        return _struct(params, ksql)
    raise UnsupportedType(f"type {data_type.sql()} is not a ksqlDB type")


def _decimal(params: list[exp.Expr]) -> str:
    if len(params) != 2:
        raise UnsupportedType("DECIMAL needs a precision and a scale, e.g. DECIMAL(10, 2)")
    precision, scale = (int(p.this.name) for p in params)
    if not 1 <= precision <= 38 or not 0 <= scale <= precision:
        raise UnsupportedType(
            f"DECIMAL({precision}, {scale}): precision must be 1..38 and scale 0..precision"
        )
    return f"DECIMAL({precision}, {scale})"


def _struct(fields: list[exp.Expr], ksql: bool) -> str:
    rendered = []
    for field in fields:
        name = ksql_name(field.this)
        inner = _render(field.args["kind"], ksql)
        rendered.append(f"{quote_ksql(name)} {inner}" if ksql else f"{quote_sql(name)} {inner}")
    body = ", ".join(rendered)
    return f"STRUCT<{body}>" if ksql else f"STRUCT({body})"


_FROM_DUCKDB = {
    "INT": "INT", "INTEGER": "INT", "SMALLINT": "INT", "TINYINT": "INT", "BIGINT": "BIGINT",
    "DOUBLE": "DOUBLE", "FLOAT": "DOUBLE", "BOOLEAN": "BOOLEAN", "VARCHAR": "STRING", "TEXT": "STRING",
    "BLOB": "BYTES", "VARBINARY": "BYTES", "DATE": "DATE", "TIME": "TIME", "TIMESTAMP": "TIMESTAMP",
    "HUGEINT": "BIGINT", "INT128": "BIGINT", "UBIGINT": "BIGINT", "UINTEGER": "BIGINT",
}  # fmt: skip


def ksql_type_from_duckdb(duckdb_type: str) -> str:
    """The canonical ksqlDB type of a DuckDB column type (``VARCHAR[]`` -> ``ARRAY<STRING>``).

    Types DuckDB has and ksqlDB has not (a 128-bit integer, say) come back as DuckDB names them.
    """
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        data_type = exp.DataType.build(duckdb_type, dialect="duckdb")
    except (ParseError, ValueError):
        return duckdb_type
    return _from_duckdb(data_type)


def _from_duckdb(data_type: exp.DataType) -> str:
    name = data_type.this.name
    params = data_type.expressions
    if name in ("ARRAY", "LIST") and params:
        return f"ARRAY<{_from_duckdb(params[0])}>"
    if name == "MAP" and len(params) == 2:
        return f"MAP<{_from_duckdb(params[0])}, {_from_duckdb(params[1])}>"
    if name == "STRUCT":
        fields = ", ".join(f"{quote_ksql(f.name)} {_from_duckdb(f.args['kind'])}" for f in params)
        return f"STRUCT<{fields}>"
    if name == "DECIMAL":
        return f"DECIMAL({', '.join(p.name for p in params)})" if params else "DECIMAL"
    if name.startswith("TIMESTAMP"):
        return "TIMESTAMP"
    return _FROM_DUCKDB.get(name, data_type.sql("duckdb"))
