"""A one-parse test that proves most records valid, so only the others pay for full classification.

The full classification (:mod:`streamduck.load.classify`) follows ksqlDB's field matching and
coercion rules through several query layers and re-parses every field's JSON a few times (its cost
per record is in docs/loader.md, *Performance design*). Most records are well formed, so one ``json_extract`` of every declared field into a
list of JSON texts decides them: a text's first character gives
its JSON type, and casts of the text itself give the coercions. The test is conservative. When it
says a record is valid, the full classification would agree; when it is unsure (a field spelled in
another case, a number sent as a string, a type it does not handle), it says no and the record
takes the full path, which gives the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from streamduck.ksql.model import SourceDefinition
from streamduck.warehouse.sqltext import json_pointer, quote_string

__all__ = ["FastPath", "fast_path"]

_TEXT = ("VARCHAR", "STRING", "TEXT")
_NUMBERS = (
    "TINYINT", "SMALLINT", "INTEGER", "INT", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
    "UBIGINT", "UHUGEINT", "FLOAT", "REAL", "DOUBLE", "DECIMAL", "NUMERIC",
)  # fmt: skip
_TEMPORAL = ("DATE", "TIME", "TIMESTAMP")


@dataclass(frozen=True)
class FastPath:
    """The top-level fields to extract (``fields``) and the SQL test over their texts (``valid``).

    ``valid`` reads the list column ``_j`` (``json_extract(text, paths)``) and ``_keys``
    (``json_keys(text)``); it is true only for records the full classification accepts.
    ``typed`` holds, per value column, its typed value read from ``_j`` for those records: what
    the full classification computes for them, without its re-parses.
    """

    fields: tuple[str, ...]
    valid: str
    typed: tuple[str, ...] = ()

    def extract(self, text: str) -> str:
        """The ``_j`` expression over the JSON text ``text`` (as text: ``[1]`` is a character then)."""
        return f"json_extract({text}, [{', '.join(json_pointer(f) for f in self.fields)}])::VARCHAR[]"


def fast_path(definition: SourceDefinition) -> FastPath:
    """The fast test for ``definition``'s value columns."""
    from streamduck.ksql.types import parse_type

    columns = definition.value_columns
    present_checks, absent_checks, typed = [], [], []
    for i, column in enumerate(columns, start=1):
        j = f"_j[{i}]"
        check = _value_check(j, parse_type(column.type))
        present_checks.append(f"({j} IS NOT NULL AND {j} <> 'null' AND {check})")
        absent_checks.append(f"({j} IS NULL OR {j} = 'null' OR {check})")
        typed.append(f"CASE WHEN {j} <> 'null' THEN {_typed_value(j, column)} END")
    if not present_checks:
        return FastPath((), "true")
    exact = [c.field for c in columns]
    upper = [c.field.upper() for c in columns]
    # A missing or null field is only certainly missing when no key spells it in another case
    # (ksqlDB would read that one instead): checked only for records that have such a field.
    no_other_spelling = (
        f"len(list_filter(_keys, lambda k: list_contains({_sql_list(upper)}, upper(k)) "
        f"AND NOT list_contains({_sql_list(exact)}, k))) = 0"
    )
    # A declared field named twice: ksqlDB reads the last value, the extraction the first. Each
    # present field is named once exactly when the keys naming declared fields are as many.
    present = " + ".join(f"(_j[{i}] IS NOT NULL)::INTEGER" for i in range(1, len(columns) + 1))
    named_once = (
        f"len(list_filter(_keys, lambda k: k IN ({', '.join(quote_string(f) for f in exact)}))) = {present}"
    )
    valid = (
        f"{named_once} AND CASE WHEN {' AND '.join(present_checks)} THEN true "
        f"WHEN {' AND '.join(absent_checks)} THEN {no_other_spelling} ELSE false END"
    )
    return FastPath(tuple(c.field for c in columns), valid, tuple(typed))


def _typed_value(j: str, column: Any) -> str:
    """The value of the JSON text ``j``, already proven by :func:`_value_check`, as the column's type.

    Strings and booleans are read off the text; other scalars and structs go through the full
    path's coercion of that one value (:mod:`~streamduck.warehouse.coerce`), so both paths agree.
    """
    from streamduck.ksql.types import duckdb_type_of, parse_type
    from streamduck.warehouse.coerce import column_typed_value, typed_value

    data_type = parse_type(column.type)
    if data_type.this.name == "STRUCT":  # nested fields: the full path's matching, over this object
        return column_typed_value(f"{j}::JSON", column)
    duckdb_type = duckdb_type_of(data_type)
    base = duckdb_type.upper().split("(")[0].strip()
    if base in _TEXT:  # a string's text without its quotes; unescaped only when it has escapes
        return (
            f"CASE WHEN {j}[1] <> '\"' THEN {j} WHEN contains({j}, '\\') "
            f"THEN json_extract_string({j}, '$') ELSE {j}[2:-2] END"
        )
    if base == "BOOLEAN":
        return f"{j} = 'true'"
    return typed_value(f"{j}::JSON", duckdb_type)


def _value_check(j: str, data_type: Any) -> str:
    """SQL true when the non-null JSON text ``j`` certainly coerces to ``data_type``."""
    from streamduck.ksql.types import duckdb_type_of

    if data_type.this.name == "STRUCT":  # any object: fields that do not coerce read as NULL
        return f"{j}[1] = '{{'"
    return _scalar_check(j, duckdb_type_of(data_type))


def _scalar_check(j: str, duckdb_type: str) -> str:
    base = duckdb_type.upper().split("(")[0].strip()
    if base in _TEXT:  # any JSON scalar reads as text
        return f"{j}[1] NOT IN ('{{', '[')"
    if base in _NUMBERS:  # a JSON number whose text casts (numbers sent as strings: full path)
        return (
            f"(({j}[1] = '-' OR {j}[1] BETWEEN '0' AND '9') AND TRY_CAST({j} AS {duckdb_type}) IS NOT NULL)"
        )
    if base == "BOOLEAN":
        return f"{j} IN ('true', 'false')"
    if base.startswith(_TEMPORAL):  # an ISO string without escapes (epoch numbers: full path)
        return f"({j}[1] = '\"' AND NOT contains({j}, '\\') AND TRY_CAST({j}[2:-2] AS {duckdb_type}) IS NOT NULL)"
    return "false"  # BYTES, ARRAY, MAP: the full path decides


def _sql_list(items: list[str]) -> str:
    return "[" + ", ".join(quote_string(i) for i in items) + "]"
