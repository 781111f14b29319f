"""Reading KAFKA-format record keys in SQL: Kafka's primitive serializers, as ksqlDB reads them.

ksqlDB's default ``KEY_FORMAT='KAFKA'`` stores one key column with Kafka's own serializers: INT as
4 and BIGINT as 8 big-endian two's-complement bytes, DOUBLE as the 8 big-endian bytes of its
IEEE-754 bits, STRING as UTF-8 and BYTES as is. A key of the wrong size does not deserialize (ksqlDB
logs it and skips the record); here the key column reads as NULL and the raw key stays in ``raw``.
DuckDB has no bit cast from BLOB to numbers, so the bytes go through their hex text into UBIGINT.
"""

from __future__ import annotations

__all__ = ["KAFKA_KEY_TYPES", "kafka_key_problem_sql", "kafka_key_sql"]

KAFKA_KEY_TYPES = ("INT", "INTEGER", "BIGINT", "DOUBLE", "STRING", "VARCHAR", "BYTES")
"""The ksqlDB types the KAFKA format can hold (the key column of a KAFKA-format key)."""

_TWO_63 = 9223372036854775808


def kafka_key_sql(blob: str, ksql_type: str) -> str:
    """SQL decoding the BLOB expression ``blob`` as a KAFKA-format key of ``ksql_type``; NULL when it cannot."""
    base = ksql_type.upper().split("(")[0].strip()
    if base in ("STRING", "VARCHAR"):
        return f"TRY(decode({blob}))"
    if base == "BYTES":
        return blob
    if base in ("INT", "INTEGER"):
        bits = _unsigned(blob, 4)
        return f"(CASE WHEN {bits} < 2147483648 THEN {bits} ELSE {bits}::BIGINT - 4294967296 END)::INTEGER"
    if base == "BIGINT":
        return _signed64(_unsigned(blob, 8))
    if base == "DOUBLE":
        return _ieee754(_unsigned(blob, 8))
    return "NULL"


def _unsigned(blob: str, size: int) -> str:
    """The big-endian unsigned value of exactly ``size`` bytes (NULL for any other size)."""
    return f"(CASE WHEN octet_length({blob}) = {size} THEN ('0x' || hex({blob}))::UBIGINT END)"


def _signed64(bits: str) -> str:
    return (
        f"(CASE WHEN {bits} < {_TWO_63} THEN {bits}::BIGINT "
        f"ELSE ({bits} - {_TWO_63})::BIGINT + (-{_TWO_63 - 1} - 1) END)"
    )


def _ieee754(bits: str) -> str:
    """The DOUBLE whose IEEE-754 bits are ``bits``: sign, 11-bit exponent, 52-bit fraction."""
    sign = f"(CASE WHEN {bits} >= {_TWO_63} THEN -1.0 ELSE 1.0 END)"
    exponent = f"(({bits} >> 52) & 2047)::INTEGER"
    fraction = f"({bits} & 4503599627370495)::DOUBLE"
    return (
        f"(CASE WHEN {bits} IS NULL THEN NULL "
        f"WHEN {exponent} = 2047 THEN CASE WHEN {fraction} = 0 THEN {sign} * 'Infinity'::DOUBLE ELSE 'NaN'::DOUBLE END "
        f"WHEN {exponent} = 0 THEN {sign} * {fraction} * pow(2.0, -1074) "
        f"ELSE {sign} * (1.0 + {fraction} / 4503599627370496.0) * pow(2.0, {exponent} - 1023) END)"
    )


def kafka_key_problem_sql(blob: str, ksql_type: str) -> str:
    """SQL naming why a present KAFKA-format key cannot be read as ``ksql_type``; NULL when it can."""
    base = ksql_type.upper().split("(")[0].strip()
    size = {"INT": 4, "INTEGER": 4, "BIGINT": 8, "DOUBLE": 8}.get(base)
    if size is not None:
        return (
            f"CASE WHEN {blob} IS NOT NULL AND octet_length({blob}) <> {size} THEN "
            f"'key of ' || octet_length({blob}) || ' bytes is not a KAFKA-format {base} ({size} bytes)' END"
        )
    if base in ("STRING", "VARCHAR"):
        return (
            f"CASE WHEN {blob} IS NOT NULL AND TRY(decode({blob})) IS NULL THEN 'key is not valid UTF-8' END"
        )
    return "NULL::VARCHAR"
