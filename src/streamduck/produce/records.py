"""The messages a run sends: generated records, keyed, encoded, some made bad on purpose.

Pure logic, no broker: the same generator, count, seed and bad ratio always give the same messages
(with a seed, ``now`` comes from a synthetic clock instead of the wall clock).
"""

from __future__ import annotations

import random
import secrets
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from streamduck.errors import ConfigError
from streamduck.produce.badrecords import BAD_KIND_HEADER, VALID_KINDS, encode, make_bad, plan_bad_records
from streamduck.produce.fakes import LocaleFakers
from streamduck.produce.registry import Generator

__all__ = ["SEEDED_EPOCH", "Message", "messages"]

SEEDED_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
"""Where the synthetic clock of a seeded run starts; it advances one second per record."""

_RECENT_KEYS = 1024  # tombstones and duplicates reuse one of the last N valid keys


class Message(NamedTuple):
    """One Kafka message to send."""

    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]
    bad_kind: str | None
    """``None`` for a good record, else one of ``BAD_KINDS``."""


def messages(
    generator: Generator, count: int, seed: int | str | None = None, bad_ratio: float = 0.0
) -> Iterator[Message]:
    """The ``count`` messages of a run, in send order; ``seed=None`` gives a different run each time.

    The generator is called once per index whatever the bad ratio, and bad records draw from their
    own random stream, so a good record is the same with or without ``--bad-ratio``.
    """
    rng_seed = seed if seed is not None else secrets.randbits(64)
    fakers = LocaleFakers(generator.locales, rng_seed)
    bad_rng = random.Random(f"{rng_seed}:bad")  # noqa: S311 (fake data, not secrets)
    bad_plan = plan_bad_records(count, bad_ratio, bad_rng)
    clock = _clock(seed)
    recent_keys: deque[Any] = deque(maxlen=_RECENT_KEYS)
    for index in range(count):
        record = _record(generator, fakers, index, clock(index))
        kind = bad_plan.get(index)
        if kind is None:
            message = Message(_key_bytes(record[generator.key]), _encode(generator, record), [], None)
        else:
            earlier = bad_rng.choice(recent_keys) if recent_keys else None
            key, value = make_bad(kind, record, generator.key, earlier, bad_rng)
            message = Message(_key_bytes(key), value, [(BAD_KIND_HEADER, kind.encode())], kind)
        if message.key is not None and (kind is None or kind in VALID_KINDS):
            recent_keys.append(record[generator.key] if kind is None else key)
        yield message


def _clock(seed: int | str | None) -> Callable[[int], datetime]:
    if seed is None:
        return lambda _index: datetime.now(UTC)
    return lambda index: SEEDED_EPOCH + timedelta(seconds=index)


def _record(generator: Generator, fakers: LocaleFakers, index: int, now: datetime) -> dict[str, Any]:
    try:
        record = generator.generate(fakers.pick(), index, now)
    except Exception as exc:  # a bug in user content: name the file and line, not a traceback
        raise ConfigError(
            f"generator {generator.path} failed on record {index} ({_line_in(generator.path, exc)}): "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if not isinstance(record, dict) or generator.key not in record:
        raise ConfigError(
            f"generator '{generator.name}' ({generator.path}) must return a dict holding its key "
            f"field '{generator.key}', got {type(record).__name__}"
        )
    return record


def _line_in(path: Path, exc: Exception) -> str:
    """``line N``: the innermost line of ``path`` that ``exc`` went through."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
    return f"line {frames[-1].lineno}" if frames else "no line"


def _encode(generator: Generator, record: dict[str, Any]) -> bytes:
    try:
        return encode(record)
    except TypeError as exc:  # orjson.JSONEncodeError: a value it cannot write
        raise ConfigError(
            f"generator '{generator.name}' returned a record orjson cannot encode: {exc}"
        ) from exc


def _key_bytes(key: Any) -> bytes | None:
    if key is None:
        return None
    return (key if isinstance(key, str) else str(key)).encode()
