"""The first offset at or after a point in time, per partition (``--to-datetime``).

Kafka answers this with ListOffsets by timestamp (``KafkaConsumer.offsets_for_times``). Tansu, the
development broker, answers every timestamp with the partition's first offset, so on Tansu the
partitions are read from their beginning until a record at or after the time shows up; that is
exact, and affordable on a development broker's in-memory topics.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from streamduck.errors import BrokerUnavailable, ConfigError
from streamduck.settings import Settings

if TYPE_CHECKING:
    from kafka import KafkaConsumer, TopicPartition

__all__ = ["offsets_at_time", "parse_datetime_ms"]


def parse_datetime_ms(text: str) -> int:
    """Milliseconds since the epoch of an ISO 8601 time, as ``kafka-consumer-groups --to-datetime`` takes it.

    ``2026-01-31T12:00:00.000`` (local time, as Kafka's tool reads it), or with ``Z`` / ``+01:00``.

    Raises:
        ConfigError: not an ISO 8601 date-time.
    """
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"--to-datetime {text!r} is not a date-time like 2026-01-31T12:00:00.000 (optionally with Z or +hh:mm)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # local time, like Kafka's tool
    return int(moment.timestamp() * 1000)


def offsets_at_time(
    settings: Settings, partitions: Iterable[TopicPartition], timestamp_ms: int
) -> dict[TopicPartition, int | None]:
    """Per partition, the earliest offset whose record's timestamp is at or after ``timestamp_ms``.

    None where no record is that recent (callers use the log-end offset, as Kafka's tool does).
    """
    from streamduck.kafka.clients import broker_errors, consumer
    from streamduck.kafka.compat import is_tansu
    from streamduck.kafka.offsets import read_log_end_offsets

    partitions = list(partitions)
    if not partitions:
        return {}
    probe = consumer(settings, group_id=None, auto_offset_reset="earliest")
    try:
        with broker_errors(settings):
            ends = read_log_end_offsets(probe, partitions, settings.connect_timeout_ms)
            if not is_tansu(probe):
                found = probe.offsets_for_times(dict.fromkeys(partitions, timestamp_ms))
                return {tp: (found[tp].offset if found.get(tp) else None) for tp in partitions}
            return _scan(settings, probe, ends, timestamp_ms)
    finally:
        probe.close()


def _scan(
    settings: Settings, probe: KafkaConsumer, ends: dict[TopicPartition, int], timestamp_ms: int
) -> dict[TopicPartition, int | None]:
    """Read each partition from its beginning to the first record at or after the time, or its end."""
    partitions = list(ends)
    probe.assign(partitions)
    probe.seek_to_beginning(*partitions)
    found: dict[TopicPartition, int | None] = {}
    pending = set(partitions)
    patience_s = settings.connect_timeout_ms / 1000
    deadline = time.monotonic() + patience_s
    while pending:
        for tp, records in probe.poll(timeout_ms=200).items():
            hit = next((r.offset for r in records if r.timestamp >= timestamp_ms), None)
            if tp in pending and hit is not None:
                found[tp] = hit
                pending.discard(tp)
                probe.pause(tp)
            deadline = time.monotonic() + patience_s
        for tp in [tp for tp in pending if probe.position(tp) >= ends[tp]]:
            found[tp] = None  # read to the end: no record is that recent
            pending.discard(tp)
        if pending and time.monotonic() > deadline:
            names = ", ".join(f"{tp.topic}[{tp.partition}]" for tp in sorted(pending))
            raise BrokerUnavailable(f"no records of {names} within {settings.connect_timeout_ms} ms")
    return found
