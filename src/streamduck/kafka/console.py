"""The console producer and consumer: ``kafka-console-producer`` / ``kafka-console-consumer``.

The producer reads lines in :class:`~streamduck.kafka.console_format.LineReader`'s format (keys,
headers, a null marker for tombstones); a topic that does not exist is created with the cluster's
defaults unless the caller opts out, as ``kafka-console-producer`` does on a broker with
``auto.create.topics.enable``. The consumer yields records and leaves printing to the caller.
Behaviour follows Kafka's tools:

* without ``from_beginning`` a consumer starts at the end of each partition (new records only);
* ``partition`` reads that one partition, from ``offset`` (a number, ``earliest`` or ``latest``);
* with a ``group`` it joins the group, resumes from the group's committed offsets, and commits what
  it has handed out; without one it commits nothing;
* it stops after ``max_messages`` records, or after ``timeout_ms`` without a record, else runs until
  interrupted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from streamduck.errors import ConfigError, DeliveryFailed, TopicNotFound
from streamduck.kafka.console_format import ConsoleRecord, LineReader, RecordFormatter
from streamduck.settings import Settings

if TYPE_CHECKING:
    from kafka import KafkaConsumer

    from streamduck.kafka.admin import CreatedTopic

__all__ = [
    "ConsoleRecord",
    "TopicCreation",
    "consume_records",
    "format_record",
    "parse_offset",
    "produce_lines",
]

# Console consumers are short-lived; a short session lets a group rebalance quickly after one exits.
GROUP_SESSION_TIMEOUT_MS = 6_000
GROUP_HEARTBEAT_INTERVAL_MS = 1_000


@dataclass(frozen=True)
class TopicCreation:
    """Whether ``produce`` creates a missing topic, and with what shape (None = the cluster's default)."""

    enabled: bool = True
    partitions: int | None = None
    replication_factor: int | None = None


def produce_lines(
    settings: Settings,
    topic: str,
    lines: Iterable[str],
    reader: LineReader | None = None,
    creation: TopicCreation | None = None,
    on_created: Callable[[CreatedTopic], None] | None = None,
) -> int:
    """Send one record per line (trailing newline removed) and wait for every acknowledgement.

    A missing topic is created first (see :class:`TopicCreation`; ``on_created`` hears of it).
    Existence is checked before any producer asks for the topic's metadata, because some brokers
    (Tansu) create a topic on a metadata request with their own defaults. Lines are validated as
    they are read, so a malformed line stops the run having sent only the lines before it. Returns
    the number of acknowledged records.

    Raises:
        TopicNotFound: no such topic and creation is off.
        ConfigError: a line does not match the reader's format, or the broker refused the topic.
        DeliveryFailed: the broker did not acknowledge every record.
    """
    from streamduck.kafka.admin import create_missing_topic
    from streamduck.kafka.clients import broker_errors, producer

    reader = reader or LineReader()
    creation = creation or TopicCreation()
    if not creation.enabled:
        from streamduck.kafka.admin import open_admin, require_topic

        with open_admin(settings) as admin:
            require_topic(admin, topic)
    else:
        created = create_missing_topic(settings, topic, creation.partitions, creation.replication_factor)
        if created is not None and on_created is not None:
            on_created(created)
    client = producer(settings, linger_ms=5)
    sent, failures = (
        0,
        list[Any](),
    )  # failures are collected by callbacks, so any amount of input fits in memory
    try:
        with broker_errors(settings):
            for number, line in enumerate(lines, start=1):
                record = reader.parse(line.rstrip("\r\n"), number)
                future = client.send(
                    topic, key=record.key, value=record.value, headers=record.headers or None
                )
                future.add_errback(failures.append)
                sent += 1
            client.flush()
    finally:
        client.close()  # also flushes what was sent before a malformed line
    if failures:
        raise DeliveryFailed(
            f"{len(failures)} of {sent} records to topic {topic!r} were not acknowledged ({failures[0]})"
        )
    return sent


def format_record(record: ConsoleRecord, print_key: bool = False, key_separator: str = "\t") -> str:
    """The line the console consumer prints by default: value, or ``key<TAB>value``; nulls as ``null``."""
    return RecordFormatter(print_key=print_key, key_separator=key_separator).format(record)


def parse_offset(text: str) -> int | str:
    """``--offset``: a non-negative number, ``earliest`` or ``latest`` (kafka-console-consumer's values).

    Raises:
        ConfigError: anything else.
    """
    if text in ("earliest", "latest"):
        return text
    if text.isdigit():
        return int(text)
    raise ConfigError(f"--offset {text!r}: expected a non-negative number, earliest or latest")


def consume_records(
    settings: Settings,
    topic: str,
    *,
    from_beginning: bool = False,
    max_messages: int | None = None,
    group: str | None = None,
    timeout_ms: int | None = None,
    stop: threading.Event | None = None,
    partition: int | None = None,
    offset: int | str | None = None,
) -> Generator[ConsoleRecord, None, None]:
    """Yield records of ``topic`` until ``max_messages`` or ``timeout_ms`` idle (see module doc).

    With a group, a record's offset is committed once the caller asks for the next record (or the
    generator is closed), so records handed out are never committed before they were used. Setting
    ``stop`` (e.g. from a signal handler) ends the run cleanly within a poll interval. ``partition``
    reads only that partition, from ``offset`` (default: the end, or the beginning with
    ``from_beginning``); an offset past the log end waits for new records there.

    Raises:
        TopicNotFound: no such topic, or no such partition.
        ConfigError: ``max_messages`` or ``timeout_ms`` is not positive, or the options conflict
            (as kafka-console-consumer's do).
    """
    from streamduck.kafka.clients import broker_errors, close_consumer, consumer

    if max_messages is not None and max_messages < 1:
        raise ConfigError("--max-messages must be at least 1")
    if timeout_ms is not None and timeout_ms < 1:
        raise ConfigError("--timeout-ms must be at least 1")
    _check_partition_options(partition, offset, group, from_beginning)
    client = consumer(
        settings,
        group_id=group,
        auto_offset_reset="earliest" if from_beginning else "latest",
        session_timeout_ms=GROUP_SESSION_TIMEOUT_MS,
        heartbeat_interval_ms=GROUP_HEARTBEAT_INTERVAL_MS,
    )
    try:
        with broker_errors(settings):
            starts = _start_positions(settings, client, topic, from_beginning)
            if partition is not None:
                starts = _one_partition(settings, client, topic, starts, partition, offset)
            committed = _attach(settings, client, topic, group, starts)
            limits = _Limits(max_messages, timeout_ms, stop or threading.Event())
            yield from _poll(client, group, limits, committed)
    finally:
        close_consumer(client)


def _check_partition_options(
    partition: int | None, offset: int | str | None, group: str | None, from_beginning: bool
) -> None:
    if offset is not None and partition is None:
        raise ConfigError("--offset needs --partition (the partition to read from that offset)")
    if offset is not None and from_beginning:
        raise ConfigError("--from-beginning and --offset cannot be given together")
    if partition is not None and group is not None:
        raise ConfigError("--group and --partition cannot be given together (a group assigns partitions)")
    if partition is not None and partition < 0:
        raise ConfigError("--partition must be at least 0")


def _one_partition(
    settings: Settings,
    client: KafkaConsumer,
    topic: str,
    starts: dict[Any, int],
    partition: int,
    offset: int | str | None,
) -> dict[Any, int]:
    """The start of the one partition asked for: ``offset``, else where ``starts`` has it."""
    from kafka import TopicPartition

    tp = TopicPartition(topic, partition)
    if tp not in starts:
        raise TopicNotFound(f"topic {topic!r} has no partition {partition} (it has {len(starts)})")
    if offset == "earliest":
        return {tp: client.beginning_offsets([tp])[tp]}
    if offset == "latest":
        from streamduck.kafka.offsets import log_end_offsets

        return log_end_offsets(settings, [tp])
    return {tp: starts[tp] if offset is None else int(offset)}


def _start_positions(
    settings: Settings, client: KafkaConsumer, topic: str, from_beginning: bool
) -> dict[Any, int]:
    """Where each partition starts when the group has no commit for it (or there is no group)."""
    from streamduck.kafka.offsets import log_end_offsets, partitions_of

    partitions = partitions_of(client, topic)
    if from_beginning:
        return client.beginning_offsets(partitions)
    # seek_to_end would use ListOffsets, which Tansu under-reports: the fetch high watermark is exact.
    return log_end_offsets(settings, partitions)


def _attach(
    settings: Settings, client: KafkaConsumer, topic: str, group: str | None, starts: dict[Any, int]
) -> set[Any]:
    """Assign (no group) or subscribe; returns the set of partitions the group has offsets for."""
    from kafka import ConsumerRebalanceListener

    from streamduck.kafka.admin import open_admin
    from streamduck.kafka.groups import committed_offsets

    if group is None:
        client.assign(list(starts))
        for tp, offset in starts.items():
            client.seek(tp, offset)
        return set()
    with open_admin(settings) as admin:
        committed = set(committed_offsets(admin, group))

    class SeekUncommitted(ConsumerRebalanceListener):
        # Runs on kafka-python's IO thread, so it may not block: which partitions have commits was
        # read before joining, and _poll adds the ones this consumer commits.
        def on_partitions_revoked(self, revoked: Any) -> None:
            pass

        def on_partitions_assigned(self, assigned: Any) -> None:
            for tp in assigned:
                if tp not in committed and tp in starts:
                    client.seek(tp, starts[tp])

    client.subscribe([topic], listener=SeekUncommitted())
    return committed


@dataclass(frozen=True)
class _Limits:
    max_messages: int | None
    timeout_ms: int | None
    stop: threading.Event


def _poll(
    client: KafkaConsumer, group: str | None, limits: _Limits, committed: set[Any]
) -> Iterator[ConsoleRecord]:
    max_messages, timeout_ms = limits.max_messages, limits.timeout_ms
    handed_out = 0
    used: dict[Any, int] = {}  # partition -> next offset, for records the caller has finished with
    idle_since = time.monotonic()
    try:
        while (max_messages is None or handed_out < max_messages) and not limits.stop.is_set():
            if group is not None and not client.assignment():
                idle_since = time.monotonic()  # the idle clock starts once the group assigned partitions
            batches = client.poll(
                timeout_ms=200, max_records=max_messages - handed_out if max_messages else 500
            )
            if not batches:
                if timeout_ms is not None and (time.monotonic() - idle_since) * 1000 >= timeout_ms:
                    return
                continue
            for tp, records in batches.items():
                for record in records:
                    yield ConsoleRecord(
                        record.topic,
                        record.partition,
                        record.offset,
                        record.key,
                        record.value,
                        record.timestamp,
                        record.timestamp_type,
                        tuple(record.headers or ()),
                    )
                    used[tp] = record.offset + 1
                    handed_out += 1
            _commit(client, group, used, committed)
            idle_since = time.monotonic()
    finally:
        _commit(client, group, used, committed)


def _commit(client: KafkaConsumer, group: str | None, used: dict[Any, int], committed: set[Any]) -> None:
    """Commit what was handed out; during a rebalance (another console consumer joining the group, as
    the tutorial shows) the commit is refused, not fatal: partitions still ours are retried next time,
    those handed over are their new owner's to commit."""
    from streamduck.kafka.clients import commit_group_offsets

    if group is None or not used:
        return
    offsets: dict[str, dict[int, int]] = {}
    for tp, offset in used.items():
        offsets.setdefault(tp.topic, {})[tp.partition] = offset
    if commit_group_offsets(client, offsets):
        committed.update(used)
        used.clear()
        return
    assigned = client.assignment()
    for tp in [tp for tp in used if tp not in assigned]:
        del used[tp]
