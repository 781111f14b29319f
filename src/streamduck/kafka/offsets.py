"""Partition offsets that are right on every broker we run against.

Kafka's ListOffsets("latest") is the usual way to learn a partition's log-end offset, but Tansu
under-reports it when the newest batch holds several records (it answers base offset + 1). A fetch
response's high watermark is right everywhere, so :func:`log_end_offsets` seeks to the last batch
the broker admits to, fetches once and reads the high watermark.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from streamduck.errors import BrokerUnavailable
from streamduck.settings import Settings

if TYPE_CHECKING:
    from kafka import KafkaConsumer, TopicPartition

__all__ = ["log_end_offsets", "partitions_of", "read_log_end_offsets"]


def partitions_of(consumer: KafkaConsumer, topic: str) -> list[TopicPartition]:
    """The topic's partitions, sorted.

    Raises:
        TopicNotFound: the broker does not know the topic.
    """
    from kafka import TopicPartition

    from streamduck.errors import TopicNotFound

    partitions = consumer.partitions_for_topic(topic)
    if not partitions:
        raise TopicNotFound(f"topic {topic!r} does not exist")
    return [TopicPartition(topic, p) for p in sorted(partitions)]


def log_end_offsets(settings: Settings, partitions: Iterable[TopicPartition]) -> dict[TopicPartition, int]:
    """Log-end offset (the offset the next record will get) of each partition."""
    from streamduck.kafka.clients import broker_errors, consumer

    partitions = list(partitions)
    if not partitions:
        return {}
    probe = consumer(settings, group_id=None)
    try:
        with broker_errors(settings):
            return read_log_end_offsets(probe, partitions, settings.connect_timeout_ms)
    finally:
        probe.close()


def read_log_end_offsets(
    probe: KafkaConsumer, partitions: list[TopicPartition], timeout_ms: int
) -> dict[TopicPartition, int]:
    """Log-end offsets read with ``probe`` (a consumer without a group, which this reassigns)."""
    probe.assign(partitions)
    beginnings = probe.beginning_offsets(partitions)
    reported = probe.end_offsets(partitions)
    for tp in partitions:
        # One record before the reported end is inside the last batch, whose fetch carries the
        # true high watermark even when ListOffsets under-reports.
        probe.seek(tp, max(reported[tp] - 1, beginnings[tp]))
    deadline = time.monotonic() + timeout_ms / 1000
    while any(probe.highwater(tp) is None for tp in partitions):
        if time.monotonic() > deadline:
            missing = ", ".join(
                f"{tp.topic}[{tp.partition}]" for tp in partitions if probe.highwater(tp) is None
            )
            raise BrokerUnavailable(f"no fetch answer for {missing} within {timeout_ms} ms")
        probe.poll(timeout_ms=200, max_records=1)
    return {tp: max(int(probe.highwater(tp)), reported[tp]) for tp in partitions}
