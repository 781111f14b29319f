"""The console producer and consumer: ``kafka-console-producer`` / ``kafka-console-consumer``.

The producer reads lines (``parse.key``/``key.separator`` become ``key_separator``); the consumer
yields records and leaves printing to the caller. Behaviour follows Kafka's tools:

* without ``from_beginning`` a consumer starts at the end of each partition (new records only);
* with a ``group`` it joins the group, resumes from the group's committed offsets, and commits what
  it has handed out; without one it commits nothing;
* it stops after ``max_messages`` records, or after ``timeout_ms`` without a record, else runs until
  interrupted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from streamduck.errors import ConfigError, DeliveryFailed
from streamduck.settings import Settings

if TYPE_CHECKING:
    from kafka import KafkaConsumer

__all__ = ["ConsoleRecord", "consume_records", "format_record", "parse_line", "produce_lines"]

# Console consumers are short-lived; a short session lets a group rebalance quickly after one exits.
GROUP_SESSION_TIMEOUT_MS = 6_000
GROUP_HEARTBEAT_INTERVAL_MS = 1_000


@dataclass(frozen=True)
class ConsoleRecord:
    """One consumed record, as the console consumer shows it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


def parse_line(line: str, key_separator: str | None, line_number: int) -> tuple[bytes | None, bytes]:
    """Key and value of one input line (without its newline); a null key without a separator.

    Text decoded with ``errors="surrogateescape"`` is sent as the exact bytes that were read.

    Raises:
        ConfigError: a separator was given and the line does not contain it (names the line).
    """
    if key_separator is None:
        return None, _bytes(line)
    key, sep, value = line.partition(key_separator)
    if not sep:
        raise ConfigError(f"line {line_number} has no key separator {key_separator!r}: {line[:80]!r}")
    return _bytes(key), _bytes(value)


def _bytes(text: str) -> bytes:
    # surrogateescape round-trips input that was not UTF-8 (read with errors="surrogateescape").
    return text.encode("utf-8", errors="surrogateescape")


def produce_lines(
    settings: Settings, topic: str, lines: Iterable[str], key_separator: str | None = None
) -> int:
    """Send one record per line (trailing newline removed) and wait for every acknowledgement.

    Lines are validated as they are read, so a malformed line stops the run having sent only the
    lines before it. Returns the number of acknowledged records.

    Raises:
        TopicNotFound: no such topic (topics are not auto-created).
        ConfigError: a line lacks the key separator.
        DeliveryFailed: the broker did not acknowledge every record.
    """
    from streamduck.kafka.admin import open_admin, require_topic
    from streamduck.kafka.clients import broker_errors, producer

    if key_separator == "":
        raise ConfigError("--key-separator must not be empty")
    with open_admin(settings) as admin:
        require_topic(admin, topic)
    client = producer(settings, linger_ms=5)
    sent, failures = 0, []  # failures are collected by callbacks, so any amount of input fits in memory
    try:
        with broker_errors(settings):
            for number, line in enumerate(lines, start=1):
                key, value = parse_line(line.rstrip("\r\n"), key_separator, number)
                client.send(topic, key=key, value=value).add_errback(failures.append)
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
    """The line the console consumer prints: value, or ``key<TAB>value``; nulls print as ``null``.

    Bytes that are not UTF-8 are shown as ``\\xNN`` escapes rather than failing.
    """
    value = _text(record.value)
    return f"{_text(record.key)}{key_separator}{value}" if print_key else value


def consume_records(
    settings: Settings,
    topic: str,
    *,
    from_beginning: bool = False,
    max_messages: int | None = None,
    group: str | None = None,
    timeout_ms: int | None = None,
    stop: threading.Event | None = None,
) -> Iterator[ConsoleRecord]:
    """Yield records of ``topic`` until ``max_messages`` or ``timeout_ms`` idle (see module doc).

    With a group, a record's offset is committed once the caller asks for the next record (or the
    generator is closed), so records handed out are never committed before they were used. Setting
    ``stop`` (e.g. from a signal handler) ends the run cleanly within a poll interval.

    Raises:
        TopicNotFound: no such topic.
        ConfigError: ``max_messages`` or ``timeout_ms`` is not positive.
    """
    from streamduck.kafka.clients import broker_errors, close_consumer, consumer

    if max_messages is not None and max_messages < 1:
        raise ConfigError("--max-messages must be at least 1")
    if timeout_ms is not None and timeout_ms < 1:
        raise ConfigError("--timeout-ms must be at least 1")
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
            committed = _attach(settings, client, topic, group, starts)
            limits = _Limits(max_messages, timeout_ms, stop or threading.Event())
            yield from _poll(client, group, limits, committed)
    finally:
        close_consumer(client)


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
                        record.topic, record.partition, record.offset, record.key, record.value
                    )
                    used[tp] = record.offset + 1
                    handed_out += 1
            _commit(client, group, used, committed)
            idle_since = time.monotonic()
    finally:
        _commit(client, group, used, committed)


def _commit(client: KafkaConsumer, group: str | None, used: dict[Any, int], committed: set[Any]) -> None:
    from kafka.structs import OffsetAndMetadata

    if group is not None and used:
        client.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in used.items()})
        committed.update(used)
        used.clear()


def _text(data: bytes | None) -> str:
    return "null" if data is None else data.decode("utf-8", errors="backslashreplace")
