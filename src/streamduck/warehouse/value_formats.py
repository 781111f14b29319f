"""Record values in ksqlDB's other formats, read as the JSON object of their columns.

* ``JSON`` with ``WRAP_SINGLE_VALUE=false``: the value is the single column's JSON value itself
  (``10``, not ``{"V": 10}``).
* ``DELIMITED``: comma-separated fields in declared column order; an empty field is NULL; a field
  in double quotes loses them, and a doubled quote inside stands for one.
* ``KAFKA``: one column serialized with Kafka's own serializers (INT, BIGINT, DOUBLE big-endian
  binary, STRING as UTF-8), as KAFKA-format keys are.

The loader classifies and types the resulting JSON object as it does a JSON value, so a field that
does not coerce is a dead letter with the same reasons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamduck.warehouse.kafka_keys import kafka_key_sql
from streamduck.warehouse.sqltext import quote_string

if TYPE_CHECKING:
    from streamduck.ksql.model import SourceDefinition

__all__ = ["as_json_object"]


def as_json_object(text: str, raw: str, definition: SourceDefinition) -> str:
    """SQL for the record value as JSON object text: ``text`` is the decoded value, ``raw`` the bytes."""
    columns = definition.value_columns
    fmt = definition.value_format.upper()
    if fmt == "DELIMITED":
        # A field: a double-quoted run (commas and doubled quotes inside) or anything up to a comma.
        fields = f'regexp_extract_all(\',\' || {text}, \',("(?:[^"]|"")*"|[^,]*)\', 1)'
        pairs = ", ".join(
            f"{quote_string(c.field)}, {_delimited_field(f'{fields}[{i}]')}"
            for i, c in enumerate(columns, start=1)
        )
        return f"CASE WHEN {text} IS NOT NULL THEN CAST(json_object({pairs}) AS VARCHAR) END"
    if len(columns) != 1:
        return text
    field = quote_string(columns[0].field)
    if fmt == "KAFKA":
        value = kafka_key_sql(raw, columns[0].type)
        return f"CASE WHEN {raw} IS NOT NULL THEN CAST(json_object({field}, {value}) AS VARCHAR) END"
    if definition.wrap_single_value is False:
        return f"CASE WHEN TRY(json_valid({text})) THEN CAST(json_object({field}, CAST({text} AS JSON)) AS VARCHAR) ELSE {text} END"
    return text


def _delimited_field(part: str) -> str:
    unquoted = f"CASE WHEN {part} LIKE '\"%\"' THEN replace({part}[2:-2], '\"\"', '\"') ELSE {part} END"
    return f"nullif({unquoted}, '')"
