"""Producing test records the way ksqlDB's query-validation tests describe them.

A record is ``(key, value)`` or ``(key, value, timestamp_ms)``: a ``bytes`` key is sent as is, a
``str`` key as UTF-8, ``None`` as no key; a value is JSON-encoded unless it is ``bytes`` or ``None``
(a tombstone). Keys of KAFKA-format INT/BIGINT/DOUBLE columns are built with :func:`kafka_key`,
windowed keys with :func:`windowed_key`.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable
from typing import Any

from streamduck.kafka.clients import producer
from streamduck.settings import Settings

_KAFKA_KEY_FORMATS = {"INT": ">i", "BIGINT": ">q", "DOUBLE": ">d"}


def kafka_key(ksql_type: str, value: Any) -> bytes:
    """A key as Kafka's serializers write it: big-endian INT/BIGINT/DOUBLE, UTF-8 STRING."""
    if ksql_type == "STRING":
        return str(value).encode()
    return struct.pack(_KAFKA_KEY_FORMATS[ksql_type], value)


def windowed_key(key: bytes, window_type: str, start: int, end: int) -> bytes:
    """A windowed key as Kafka Streams writes it: the key, then the start (TUMBLING/HOPPING) or the
    end and the start (SESSION), 8 big-endian bytes each."""
    if window_type.upper() == "SESSION":
        return key + struct.pack(">qq", end, start)
    return key + struct.pack(">q", start)


def produce(settings: Settings, topic: str, records: Iterable[tuple[Any, ...]], partition: int = 0) -> None:
    client = producer(settings)
    try:
        for key, value, *rest in records:
            client.send(
                topic,
                key=key.encode() if isinstance(key, str) else key,
                value=value if value is None or isinstance(value, bytes) else json.dumps(value).encode(),
                timestamp_ms=rest[0] if rest else None,
                partition=partition,
            )
        client.flush()
    finally:
        client.close()
