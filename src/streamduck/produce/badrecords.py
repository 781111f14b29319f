"""Malformed records of every kind a loader must survive, made from good ones.

Each bad record carries the header ``streamduck-bad-kind`` naming its kind, so tests and people can
count them afterwards. Three kinds are valid JSON records a loader accepts (they exercise schema drift
and keys: ``missing_field``, ``null_key``, ``duplicate_key``); the others are poison a loader must
quarantine.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import orjson

__all__ = [
    "BAD_KINDS",
    "BAD_KIND_HEADER",
    "OVERSIZED_BYTES",
    "POISON_KINDS",
    "VALID_KINDS",
    "encode",
    "make_bad",
    "plan_bad_records",
]

BAD_KIND_HEADER = "streamduck-bad-kind"

# Order matters: kinds are dealt round-robin in offset order, and the first ones need no earlier
# record, so `tombstone` and `duplicate_key` always find an earlier key to reuse.
BAD_KINDS = (
    "not_json",
    "truncated_json",
    "invalid_utf8",
    "wrong_root_type",
    "wrong_field_type",
    "missing_field",
    "oversized",
    "null_key",
    "tombstone",
    "duplicate_key",
)
VALID_KINDS = frozenset({"missing_field", "null_key", "duplicate_key"})
"""Bad kinds that are still valid JSON records of the right shape."""
POISON_KINDS = frozenset(BAD_KINDS) - VALID_KINDS
"""Bad kinds a loader must reject (dead-letter)."""

OVERSIZED_BYTES = 300_000
"""Size of an ``oversized`` value: above the loader's default 256 KiB per-record limit."""

Key = Any  # the record's key field value (usually a str), or None for "no key"


def encode(record: dict[str, Any]) -> bytes:
    """A record as JSON bytes (dates and datetimes as ISO 8601, UTC as ``Z``)."""
    return orjson.dumps(record, option=orjson.OPT_UTC_Z)


def plan_bad_records(count: int, ratio: float, rng: random.Random) -> dict[int, str]:
    """Which of ``count`` records are bad, and of which kind: ``{index: kind}``.

    ``round(count * ratio)`` positions are sampled; kinds are dealt round-robin in position order, so
    every kind appears once at least ``len(BAD_KINDS)`` records are bad.
    """
    if not 0.0 <= ratio <= 1.0:
        raise ValueError(f"bad ratio must be between 0 and 1, got {ratio}")
    bad_count = min(count, int(count * ratio + 0.5))
    positions = sorted(rng.sample(range(count), bad_count))
    return {index: BAD_KINDS[n % len(BAD_KINDS)] for n, index in enumerate(positions)}


def make_bad(
    kind: str, record: dict[str, Any], key_field: str, earlier_key: Key, rng: random.Random
) -> tuple[Key, bytes | None]:
    """Turn a good ``record`` into a bad message of ``kind``: ``(key, value)``.

    ``earlier_key`` is the key of an earlier valid record (``tombstone`` deletes it, ``duplicate_key``
    reuses it); when there is none, the record's own key stands in.
    """
    key = record[key_field]
    reused = key if earlier_key is None else earlier_key
    if kind == "tombstone":
        return reused, None
    if kind == "null_key":
        return None, encode(record)
    if kind == "duplicate_key":
        return reused, encode({**record, key_field: reused})
    return key, _MAKERS[kind](record, key_field, rng)


def _not_json(record: dict[str, Any], key_field: str, rng: random.Random) -> bytes:
    # A "key=value; ..." line, as a misconfigured upstream would send; starts with a letter, so no
    # JSON parser accepts even a prefix of it.
    return "; ".join(f"{k}={v}" for k, v in record.items() if not isinstance(v, dict)).encode()


def _truncated_json(record: dict[str, Any], key_field: str, rng: random.Random) -> bytes:
    whole = encode(record)
    return whole[: len(whole) // 2]


def _invalid_utf8(record: dict[str, Any], key_field: str, rng: random.Random) -> bytes:
    # 0xFF never occurs in UTF-8; put it inside the first string value so the rest looks like JSON.
    whole = encode(record)
    return whole.replace(b'":"', b'":"\xff', 1) if b'":"' in whole else b"\xff" + whole


def _wrong_root_type(record: dict[str, Any], key_field: str, rng: random.Random) -> bytes:
    roots: list[Any] = [list(record.values()), str(record[key_field]), len(record)]
    return encode(rng.choice(roots))


def _wrong_field_type(record: dict[str, Any], key_field: str, rng: random.Random) -> bytes:
    field = rng.choice(sorted(record))
    return encode({**record, field: _other_type(record[field])})


def _other_type(value: Any) -> Any:
    """A value of a different JSON type: a string becomes a number, an object an array, etc."""
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return {"items": value}
    if isinstance(value, bool) or value is None:
        return {"value": value}
    if isinstance(value, int | float):
        return f"{value} (as text)"
    return 12345  # strings, dates, datetimes, uuids


def _missing_field(record: dict[str, Any], key_field: str, rng: random.Random) -> bytes:
    dropped = rng.choice(sorted(set(record) - {key_field}))
    return encode({k: v for k, v in record.items() if k != dropped})


def _oversized(record: dict[str, Any], key_field: str, rng: random.Random) -> bytes:
    padding = OVERSIZED_BYTES - len(encode({**record, "notes": ""}))
    sentence = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. "
    notes = (sentence * (padding // len(sentence) + 1))[: max(padding, 0)]
    return encode({**record, "notes": notes})


_MAKERS: dict[str, Callable[[dict[str, Any], str, random.Random], bytes]] = {
    "not_json": _not_json,
    "truncated_json": _truncated_json,
    "invalid_utf8": _invalid_utf8,
    "wrong_root_type": _wrong_root_type,
    "wrong_field_type": _wrong_field_type,
    "missing_field": _missing_field,
    "oversized": _oversized,
}
