"""Reading windowed record keys in SQL, as ksqlDB's windowed key serdes write them.

A source declared ``WITH (WINDOW_TYPE=..., WINDOW_SIZE=...)`` reads a topic a windowed aggregation
wrote. Its keys are Kafka Streams' windowed keys: the key's bytes in the source's KEY_FORMAT, then

- TUMBLING / HOPPING: the window start, 8 bytes big-endian epoch milliseconds
  (``TimeWindowedSerializer`` -> ``WindowKeySchema.toBinary``); the end is start + WINDOW_SIZE;
- SESSION: the window end, then its start, 8 bytes each (``SessionKeySchema.toBinary``).

A key shorter than its window suffix reads as NULL (its record stays in ``raw``, as any key that
does not deserialize).
"""

from __future__ import annotations

import struct

from streamduck.warehouse.kafka_keys import kafka_key_sql

__all__ = ["WINDOW_TYPES", "inner_key_sql", "window_bounds_sql", "windowed_key"]

WINDOW_TYPES = ("TUMBLING", "HOPPING", "SESSION")


def _suffix_bytes(window_type: str | None) -> int:
    if window_type is None:
        return 0
    return 16 if window_type.upper() == "SESSION" else 8


def inner_key_sql(blob: str, window_type: str | None) -> str:
    """The key's own bytes within the windowed key ``blob`` (``blob`` itself when not windowed)."""
    suffix = _suffix_bytes(window_type)
    if not suffix:
        return blob
    return f"(CASE WHEN octet_length({blob}) >= {suffix} THEN {blob}[1:octet_length({blob}) - {suffix}] END)"


def _long_at(blob: str, from_end: int) -> str:
    """The big-endian BIGINT in the 8 bytes that end ``from_end`` bytes before ``blob``'s end."""
    last = f"octet_length({blob}) - {from_end}"
    return kafka_key_sql(f"(CASE WHEN {last} >= 8 THEN {blob}[{last} - 7:{last}] END)", "BIGINT")


def window_bounds_sql(blob: str, window_type: str, size_ms: int | None) -> tuple[str, str]:
    """SQL of (WINDOWSTART, WINDOWEND), epoch milliseconds, read from the windowed key ``blob``."""
    start = _long_at(blob, 0)
    if window_type.upper() == "SESSION":
        return start, _long_at(blob, 8)
    return start, f"({start} + {int(size_ms or 0)})"


def windowed_key(key: bytes, window_type: str, start: int, end: int | None) -> bytes:
    """The windowed key bytes for ``key`` (in its key format) and a window, as the serdes write it."""
    if window_type.upper() == "SESSION":
        return key + struct.pack(">qq", end if end is not None else start, start)
    return key + struct.pack(">q", start)
