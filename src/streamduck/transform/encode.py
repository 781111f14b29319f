"""ksqlDB's serialisation of output rows: JSON values, and KAFKA- or JSON-format keys.

ksqlDB's JSON serde writes DATE as days since the epoch, TIME as milliseconds since midnight,
TIMESTAMP as epoch milliseconds, BYTES as base64 and DECIMAL as a JSON number; column names are
the object's keys and key columns are not repeated in the value. The KAFKA key format is Kafka's
primitive serdes: STRING as UTF-8, INT as 4 and BIGINT as 8 big-endian bytes, DOUBLE as IEEE-754.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence

from streamduck.errors import DefinitionError
from streamduck.warehouse.sqltext import quote_ident, quote_string

__all__ = ["KeyEncoder", "json_scalar_sql", "json_value_sql"]


def json_scalar_sql(column: str, duckdb_type: str) -> str:
    """SQL for ``column`` converted to the value ksqlDB's JSON serde writes for its type."""
    ref = quote_ident(column)
    base = duckdb_type.upper().split("(")[0].strip()
    if base == "DATE":
        return f"date_diff('day', DATE '1970-01-01', {ref})"
    if base == "TIME":
        return f"date_diff('millisecond', TIME '00:00:00', {ref})"
    if base.startswith("TIMESTAMP"):
        return f"epoch_ms({ref})"
    if base == "BLOB":
        return f"to_base64({ref})"
    return ref


def json_value_sql(columns: Sequence[tuple[str, str]]) -> str:
    """SQL building one JSON object text per row from ``(name, duckdb_type)`` columns."""
    if not columns:
        return "'{}'"
    pairs = ", ".join(f"{quote_string(name)}, {json_scalar_sql(name, type_)}" for name, type_ in columns)
    return f"json_object({pairs})::VARCHAR"


def _utf8(value: object) -> bytes:
    return str(value).encode("utf-8")


_KAFKA_KEY_PACKERS: dict[str, Callable[[object], bytes]] = {
    "VARCHAR": _utf8,
    "INTEGER": lambda v: struct.pack(">i", v),
    "BIGINT": lambda v: struct.pack(">q", v),
    "DOUBLE": lambda v: struct.pack(">d", v),
    "BLOB": lambda v: bytes(v),  # type: ignore[call-overload]  # a BLOB value is bytes already
}


class KeyEncoder:
    """Turns the per-row key values the output query yields into record key bytes."""

    def __init__(self, key_format: str, key_types: Sequence[str]) -> None:
        self._pack: Callable[[object], bytes] | None = None
        if not key_types or key_format.upper() == "NONE":
            return
        if key_format.upper() == "JSON":  # the query already rendered JSON text
            self._pack = _utf8
            return
        base = key_types[0].upper().split("(")[0].strip()
        if base not in _KAFKA_KEY_PACKERS:
            raise DefinitionError(
                f"KEY_FORMAT KAFKA cannot hold a {key_types[0]} key (STRING, INT, BIGINT, DOUBLE, BYTES)"
            )
        self._pack = _KAFKA_KEY_PACKERS[base]

    def encode_all(self, values: Sequence[object]) -> list[bytes | None]:
        """One key per row; a NULL key stays a null record key."""
        pack = self._pack
        if pack is None:
            return [None] * len(values)
        return [None if v is None else pack(v) for v in values]
