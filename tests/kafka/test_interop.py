"""Interoperability with librdkafka (confluent-kafka), a Kafka client independent of kafka-python."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from streamduck.kafka.admin import create_topic
from streamduck.settings import Settings


def test_our_consumer_reads_librdkafka_records(
    cli: Callable[..., Any], settings: Settings, topic_name: str
) -> None:
    from confluent_kafka import Producer

    create_topic(settings, topic_name, partitions=2)
    rdkafka = Producer({"bootstrap.servers": settings.bootstrap_servers, "linger.ms": 20})
    for i in range(20):
        rdkafka.produce(topic_name, key=f"k{i}".encode(), value=f"librdkafka {i} ünï".encode())
    assert rdkafka.flush(15) == 0
    result = cli(
        "consume",
        topic_name,
        "--from-beginning",
        "--print-key",
        "--max-messages",
        "20",
        "--timeout-ms",
        "10000",
    )
    assert result.exit_code == 0, result.stderr
    assert sorted(result.stdout.splitlines()) == sorted(f"k{i}\tlibrdkafka {i} ünï" for i in range(20))


def test_librdkafka_reads_our_records(cli: Callable[..., Any], settings: Settings, topic_name: str) -> None:
    from confluent_kafka import Consumer, TopicPartition

    create_topic(settings, topic_name, partitions=2)
    produced = cli(
        "produce", topic_name, "--key-separator", ",", input="".join(f"id{i},row {i}\n" for i in range(30))
    )
    assert produced.exit_code == 0, produced.stderr
    rdkafka = Consumer(
        {
            "bootstrap.servers": settings.bootstrap_servers,
            "group.id": "interop-unused",
            "enable.auto.commit": False,
        }
    )
    rdkafka.assign([TopicPartition(topic_name, p, 0) for p in range(2)])  # no group join: read from offset 0
    seen: list[tuple[bytes | None, bytes | None]] = []
    deadline = time.monotonic() + 20
    while len(seen) < 30 and time.monotonic() < deadline:
        message = rdkafka.poll(0.5)
        if message is not None and message.error() is None:
            seen.append((message.key(), message.value()))
    rdkafka.close()
    assert sorted(seen) == sorted((f"id{i}".encode(), f"row {i}".encode()) for i in range(30))
