"""SQL expressions that turn a record's JSON value (or key) into typed columns, ksqlDB-style.

Field matching follows ksqlDB's JSON deserializer: a column first matches a JSON field of exactly
its name, else a field whose upper-cased name equals the column name (so column ``NAME`` reads
``name``, ``Name`` or ``NAME``). Values are coerced to the declared type in SQL; a field that is
present, not null, and cannot be coerced makes the record a dead letter at load time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from streamduck.ksql.model import Column
from streamduck.warehouse.sqltext import quote_ident, quote_string

__all__ = [
    "NON_JSON_NUMBER",
    "column_duckdb_type",
    "column_typed_value",
    "data_typed_value",
    "field_json",
    "has_non_json_number",
    "is_scalar_type",
    "json_field_projections",
    "last_value_per_key",
    "scalar_value",
    "typed_value",
    "uncoercible",
]

_NUMERIC_JSON = "('UBIGINT', 'BIGINT', 'DOUBLE')"
_INTEGERS = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "INT",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
)
_UTC_OFFSET = r"[0-9]:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)\s*$"
"""A time of day followed by ``Z`` or ``+hh:mm`` / ``-hhmm`` / ``+hh``."""


def column_duckdb_type(column: Column) -> str:
    """The DuckDB type of a declared column (the ksql package owns the mapping)."""
    from streamduck.ksql.types import duckdb_type

    return duckdb_type(column.type)


def column_typed_value(json_expr: str, column: Column) -> str:
    """``json_expr`` coerced to the column's declared type, matching STRUCT fields as ksqlDB does."""
    from streamduck.ksql.types import parse_type

    return data_typed_value(json_expr, parse_type(column.type))


def data_typed_value(json_expr: str, data_type: Any, depth: int = 0) -> str:
    """``json_expr`` coerced to the parsed ksql type ``data_type`` (``depth``: of STRUCT nesting)."""
    from streamduck.ksql.names import ksql_name
    from streamduck.ksql.types import duckdb_type_of

    if data_type.this.name != "STRUCT":
        return typed_value(json_expr, duckdb_type_of(data_type))
    names = [ksql_name(field.this) for field in data_type.expressions]
    as_named, as_lower = f"_e{depth}", f"_l{depth}"  # distinct lambda names per level: no shadowing
    exact = quote_string(json.dumps(dict.fromkeys(names, "JSON")))
    lower = quote_string(json.dumps(dict.fromkeys((n.lower() for n in names), "JSON")))
    # As ksqlDB's KsqlJsonDeserializer: the exact name, else a field whose upper-cased name is the
    # field's (``"Town"`` for TOWN); the search through the keys runs only when both lookups miss.
    fields = [
        f"{quote_ident(name)} := "
        + data_typed_value(
            f"coalesce({as_named}[{quote_string(name)}], {as_lower}[{quote_string(name.lower())}], "
            f"{_any_case_field(json_expr, name)})",
            field.args["kind"],
            depth + 1,
        )
        for name, field in zip(names, data_type.expressions, strict=True)
    ]
    # The one-element list_transform binds the parsed object to a name, so it is parsed once
    # (exact and lower-cased field names) instead of once per field reference.
    return (
        f"CASE WHEN json_type({json_expr}) = 'OBJECT' THEN "
        f"list_transform([from_json({json_expr}, {exact})], lambda {as_named}: "
        f"list_transform([from_json({json_expr}, {lower})], lambda {as_lower}: struct_pack({', '.join(fields)}))[1])[1] END"
    )


def _any_case_field(json_expr: str, name: str) -> str:
    """The JSON value of the field of object ``json_expr`` whose upper-cased name is ``name``'s."""
    key = f"list_filter(json_keys({json_expr}), lambda k: upper(k) = {quote_string(name.upper())})[1]"
    return f"json_extract({json_expr}, '/' || replace(replace({key}, '~', '~0'), '/', '~1'))"


def json_field_projections(text: str, fields: Sequence[str]) -> dict[str, str]:
    """Columns that parse a JSON object once for :func:`field_json`: ``_exact``, ``_lower``, ``_keys``.

    ``from_json`` into a struct of JSON values reads every declared field in one parse, by exact
    name and by lower-cased name (ksqlDB columns are upper-case, JSON fields usually lower-case).
    """
    exact = quote_string(json.dumps(dict.fromkeys(fields, "JSON")))
    lower = quote_string(json.dumps(dict.fromkeys((f.lower() for f in fields), "JSON")))
    if not fields:  # from_json needs at least one field
        exact = lower = quote_string(json.dumps({"__streamduck_no_field__": "JSON"}))
    return {
        "_exact": f"from_json({text}, {exact})",
        # Declared fields usually are lower-case already: then one parse serves both lookups.
        "_lower": "_exact" if lower == exact else f"from_json({text}, {lower})",
        "_keys": f"json_keys({text})",
    }


def last_value_per_key(text: str, keys: str) -> str:
    """The JSON object ``text`` (whose top-level keys are the list ``keys``) with each key once, at its last value.

    ksqlDB (Jackson) reads a repeated key's last value, DuckDB its first: the loader stores such an
    object rewritten this way, so every later reading agrees with ksqlDB.
    """
    kept = f"list_filter(range(1, len({keys}) + 1), lambda i: NOT list_contains({keys}[i + 1:], {keys}[i]))"
    pairs = f"list_transform({kept}, lambda i: to_json({keys}[i]) || ':' || json_extract({text}, '$.*')[i])"
    return f"('{{' || array_to_string({pairs}, ',') || '}}')"


NON_JSON_NUMBER = r"""(?is)^(?:(?:[^"]|"(?:[^"\\]|\\.)*")*?[\[:,])?\s*[-+]?(?:nan|inf)"""
"""A NaN or Infinity token outside any string. DuckDB's JSON reader accepts them; RFC 8259 (and
ksqlDB) do not, so such a value is ``not_json``. The regular expression skips over strings."""


def has_non_json_number(text: str) -> str:
    """SQL true when ``text`` holds NaN/Infinity as a number.

    One regular expression: RE2 scans every text in linear time whatever the expression, and a
    projection evaluates both sides of an AND, so a "cheap" pre-test only adds a second scan.
    """
    return f"regexp_matches({text}, {quote_string(NON_JSON_NUMBER)})"


def field_json(text: str, field: str) -> str:
    """The JSON value of top-level ``field`` (SQL NULL when absent), over :func:`json_field_projections`.

    Matching as ksqlDB: the exact name first, else a field whose upper-cased name equals ``field``.
    """
    name, lower, upper = quote_string(field), quote_string(field.lower()), quote_string(field.upper())
    # Only rows missing both spellings pay for the search through the keys (COALESCE is lazy).
    any_case = (
        f"json_extract({text}, '/' || replace(replace("
        f"list_filter(_keys, lambda k: upper(k) = {upper})[1], '~', '~0'), '/', '~1'))"
    )
    return f"coalesce(_exact[{name}], _lower[{lower}], {any_case})"


def typed_value(json_expr: str, duckdb_type: str) -> str:
    """``json_expr`` (a JSON value) coerced to ``duckdb_type``; NULL when it cannot be."""
    base = duckdb_type.upper().split("(")[0].strip()
    if base in ("STRUCT", "MAP") or duckdb_type.rstrip().endswith("]"):
        return f"TRY_CAST({json_expr} AS {duckdb_type})"
    return scalar_value(f"json_extract_string({json_expr}, '$')", f"json_type({json_expr})", duckdb_type)


def is_scalar_type(duckdb_type: str) -> bool:
    """True for the types :func:`scalar_value` coerces (not STRUCT, MAP or a list)."""
    base = duckdb_type.upper().split("(")[0].strip()
    return base not in ("STRUCT", "MAP") and not duckdb_type.rstrip().endswith("]")


def scalar_value(text: str, kind: str, duckdb_type: str) -> str:
    """A JSON value given as its text ``text`` (``json_extract_string``) and its ``json_type``
    ``kind``, coerced to the scalar ``duckdb_type``; NULL when it cannot be.

    The one coercion both classification paths use: the full path passes a field's JSON through
    ``json_extract_string``/``json_type``, the fast path reads the same two from one parse of the
    record (:mod:`~streamduck.load.fast_path`), so the two cannot disagree.
    """
    base = duckdb_type.upper().split("(")[0].strip()
    if base in ("VARCHAR", "STRING", "TEXT"):  # any JSON scalar reads as text; objects and arrays do not
        return f"CASE WHEN {kind} NOT IN ('OBJECT', 'ARRAY') THEN {text} END"
    if base == "DATE":  # ksqlDB writes DATE as days since the epoch; ISO strings are accepted too
        return (
            f"CASE WHEN {kind} IN {_NUMERIC_JSON} THEN TRY_CAST(DATE '1970-01-01' + TRY_CAST({text} AS INTEGER) AS DATE)"
            f" ELSE TRY_CAST({text} AS DATE) END"
        )
    if base.startswith("TIMESTAMP"):  # ksqlDB writes TIMESTAMP as epoch milliseconds
        # A string with a UTC offset is converted to UTC (DuckDB's TIMESTAMP cast drops the offset);
        # one without is UTC already, as in ksqlDB. A time followed by Z, the usual form, is read by
        # the TIMESTAMP cast as UTC: the same value without the slower conversion.
        return (
            f"CASE WHEN {kind} IN {_NUMERIC_JSON} THEN TRY_CAST(epoch_ms(TRY_CAST({text} AS BIGINT)) AS {duckdb_type})"
            f" WHEN {text}[-1] = 'Z' AND {text}[-2] BETWEEN '0' AND '9' THEN TRY_CAST({text} AS {duckdb_type})"
            f" WHEN regexp_matches({text}, {quote_string(_UTC_OFFSET)})"
            f" THEN TRY_CAST(timezone('UTC', TRY_CAST({text} AS TIMESTAMPTZ)) AS {duckdb_type})"
            f" ELSE TRY_CAST({text} AS {duckdb_type}) END"
        )
    if base == "TIME":  # ksqlDB writes TIME as milliseconds since midnight
        return (
            f"CASE WHEN {kind} IN {_NUMERIC_JSON} THEN TRY_CAST(TIME '00:00:00' + to_milliseconds(TRY_CAST({text} AS BIGINT)) AS TIME)"
            f" ELSE TRY_CAST({text} AS TIME) END"
        )
    if base == "BLOB":  # ksqlDB writes BYTES as base64 text
        return f"TRY(from_base64({text}))"
    if base == "BOOLEAN":  # only JSON booleans and the strings true/false, as ksqlDB
        return f"CASE lower({text}) WHEN 'true' THEN true WHEN 'false' THEN false END"
    if base in _INTEGERS:  # ksqlDB truncates a fractional number toward zero (DuckDB's cast rounds)
        return (
            f"CASE WHEN {kind} = 'DOUBLE' THEN TRY_CAST(trunc(TRY_CAST({text} AS DOUBLE)) AS {duckdb_type})"
            f" WHEN {kind} = 'VARCHAR' AND NOT regexp_matches({text}, '^\\s*[-+]?[0-9]+\\s*$') THEN NULL"
            f" ELSE TRY_CAST({text} AS {duckdb_type}) END"
        )
    return f"TRY_CAST({text} AS {duckdb_type})"


def uncoercible(json_expr: str, typed_expr: str) -> str:
    """True when the field is present and not null, but its typed value came out NULL."""
    return f"({json_expr} IS NOT NULL AND json_type({json_expr}) <> 'NULL' AND ({typed_expr}) IS NULL)"
