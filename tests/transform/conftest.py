"""Fixtures for transform tests: a source stream with its topic, a derived stream, readers of the sink."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from streamduck.settings import Settings
from tests.conftest import STREAMDUCK_BIN

SESSION_TIMEOUT_MS = (
    "3000"  # Tansu: a group join takes about half of it; a killed member holds its partitions this long
)


@dataclass
class TransformSetup:
    """A source stream ``ORDERS`` on ``source_topic`` and a derived stream ``name`` on ``sink_topic``."""

    settings: Settings
    source_topic: str
    sink_topic: str
    name: str


def write_statements(
    sql_dir: Path, source_topic: str, sink_topic: str, partitions: int = 3, name: str = "big_orders"
) -> None:
    """The tests' statements: projection, aliasing, WHERE with a comparison, UCASE and CONCAT."""
    streams = sql_dir / "streams"
    (streams / "orders.sql").write_text(
        "CREATE STREAM orders (id STRING KEY, seq BIGINT, customer STRING, city STRING, amount DOUBLE)\n"
        f"  WITH (kafka_topic='{source_topic}', value_format='JSON', partitions={partitions});\n"
    )
    (streams / "big_orders.sql").write_text(
        f"CREATE STREAM {name} WITH (kafka_topic='{sink_topic}') AS\n"
        "  SELECT id, seq, UCASE(customer) AS customer, CONCAT(customer, CONCAT(' from ', city)) AS label, amount\n"
        "  FROM orders\n"
        "  WHERE amount >= 50\n"
        "  EMIT CHANGES;\n"
    )


@pytest.fixture
def orders(settings: Settings, topic_name: str) -> TransformSetup:
    """Statements written and the source topic created (3 partitions); the sink is left to the transform.

    The derived stream's name is unique to the test, and so are the group and transactional id
    derived from it: one test's leftovers (a killed member's session) never reach the next test.
    """
    from kafka import KafkaAdminClient

    source, sink = f"{topic_name}-orders", f"{topic_name}-big"
    name = f"big_orders_{uuid.uuid4().hex[:8]}"
    write_statements(settings.sql_dir, source, sink, name=name)
    admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    try:
        admin.create_topics({source: {"num_partitions": 3, "replication_factor": 1}})
    finally:
        admin.close()
    return TransformSetup(settings, source, sink, name.upper())


def order(seq: int, keys: int = 20) -> tuple[bytes, dict]:
    """The ``seq``-th test order: key ``k<seq % keys>``, amount cycling 0..99."""
    return f"k{seq % keys}".encode(), {
        "seq": seq,
        "customer": f"c{seq}",
        "city": "Oslo" if seq % 2 else "Lima",
        "amount": float(seq * 7 % 100),
    }


def expected_output(seqs: range, keys: int = 20) -> dict[bytes, list[dict]]:
    """Per key, the sink values a correct transform writes for orders ``seqs``, in order."""
    result: dict[bytes, list[dict]] = {}
    for seq in seqs:
        key, value = order(seq, keys)
        if value["amount"] >= 50:
            result.setdefault(key, []).append(
                {
                    "SEQ": seq,
                    "CUSTOMER": value["customer"].upper(),
                    "LABEL": f"{value['customer']} from {value['city']}",
                    "AMOUNT": value["amount"],
                }
            )
    return result


def produce_orders(
    bootstrap: str,
    topic: str,
    seqs: range,
    rate: float = 0.0,
    extra: list | None = None,
    one_per_batch: bool = False,
) -> None:
    """Send orders ``seqs`` (keyed, so per key they stay in one partition, in order), then ``extra`` raw values.

    ``one_per_batch`` waits for each record's ack: Tansu's ListOffsets "latest" is only exact
    when each partition's newest batch holds one record.
    """
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    try:
        for seq in seqs:
            key, value = order(seq)
            sent = producer.send(
                topic, key=key, value=json.dumps(value).encode(), headers=[("trace", b"%d" % seq)]
            )
            if one_per_batch:
                sent.get(timeout=10)
            if rate:
                time.sleep(1 / rate)
        for key, raw in extra or []:
            producer.send(topic, key=key, value=raw)
        producer.flush()
    finally:
        producer.close()


def read_topic(
    bootstrap: str, topic: str, isolation: str = "read_committed", idle_ms: int = 500, check_crcs: bool = True
) -> list:
    """Every record of ``topic`` visible at ``isolation``: read until each partition's position
    reached its fetch high watermark and a poll came back empty (Tansu's ListOffsets under-reports).
    """
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        isolation_level=isolation,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        check_crcs=check_crcs,
    )
    records: list = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            polled = consumer.poll(timeout_ms=idle_ms)
            for batch in polled.values():
                records.extend(batch)
            if not polled and _at_high_watermarks(consumer):
                return records
    finally:
        consumer.close()
    raise AssertionError(f"could not read {topic} to its end in 30 s ({len(records)} records read)")


def _at_high_watermarks(consumer) -> bool:  # type: ignore[no-untyped-def]
    assigned = consumer.assignment()
    if not assigned:
        return False
    marks = {tp: consumer.highwater(tp) for tp in assigned}
    return all(mark is not None and consumer.position(tp) >= mark for tp, mark in marks.items())


def read_committed_reference(bootstrap: str, topic: str) -> list:
    """The records a KIP-98 broker returns to ``read_committed`` readers, decided from the log itself.

    Tansu answers read_committed fetches with an empty aborted-transactions list, so kafka-python
    cannot drop aborted records (checked: an aborted send is returned). This reader therefore reads
    everything and applies the rule brokers implement: a transactional batch counts only if the
    next control marker of its producer on that partition is a COMMIT.
    """
    from kafka.consumer.fetcher import Fetcher

    batches: dict[tuple[int, int], tuple[int, int, bool]] = {}  # (partition, base) → (last, pid, txn)
    markers: dict[tuple[int, int], tuple[int, bool]] = {}  # (partition, offset) → (pid, is_abort)
    original_init = Fetcher.PartitionRecords.__init__

    def observing_init(self, fetch_offset, tp, records, *args, **kwargs):  # type: ignore[no-untyped-def]
        original_init(
            self, fetch_offset, tp, _Observed(records, tp.partition, batches, markers), *args, **kwargs
        )

    Fetcher.PartitionRecords.__init__ = observing_init
    try:
        records = read_topic(bootstrap, topic, "read_uncommitted", check_crcs=False)  # _Observed checks them
    finally:
        Fetcher.PartitionRecords.__init__ = original_init
    return [r for r in records if _committed(r, batches, markers)]


class _Observed:
    """Wraps a fetch's record set and notes each batch's producer id, transactional flag and markers."""

    def __init__(self, records, partition, batches, markers):  # type: ignore[no-untyped-def]
        self._records, self._partition, self._batches, self._markers = records, partition, batches, markers

    def next_batch(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        batch = self._records.next_batch(*args, **kwargs)
        if batch is not None and batch.magic == 2:
            assert batch.validate_crc(), f"corrupt batch at {self._partition}@{batch.base_offset}"
            if batch.is_control_batch:  # read_uncommitted readers never iterate control batches
                control = next(iter(batch))
                self._markers[(self._partition, batch.base_offset)] = (batch.producer_id, control.abort)
            else:
                self._batches[(self._partition, batch.base_offset)] = (
                    batch.last_offset, batch.producer_id, batch.is_transactional,
                )  # fmt: skip
        return batch

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        return getattr(self._records, name)


def _committed(record, batches, markers) -> bool:  # type: ignore[no-untyped-def]
    owner = next(
        meta
        for (p, base), meta in batches.items()
        if p == record.partition and base <= record.offset <= meta[0]
    )
    _, producer_id, transactional = owner
    if not transactional:
        return True
    later = sorted(
        (o, m)
        for (p, o), m in markers.items()
        if p == record.partition and o > record.offset and m[0] == producer_id
    )
    return bool(later) and not later[0][1][1]  # decided, and by a COMMIT


def per_key_values(records: list) -> dict[bytes, list[dict]]:
    """Sink records grouped by key, in (partition, offset) order."""
    result: dict[bytes, list[dict]] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        result.setdefault(record.key, []).append(json.loads(record.value))
    return result


@pytest.fixture
def start_transform(cli_env: dict[str, str]) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start ``streamduck transform NAME ARGS`` as a subprocess; every one still running is killed at the end."""
    started: list[subprocess.Popen] = []

    def start(name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        process = subprocess.Popen(
            [STREAMDUCK_BIN, "transform", name, "--session-timeout-ms", SESSION_TIMEOUT_MS, *args],
            env={**cli_env, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()


def sink_progress(bootstrap: str, topic: str) -> int:
    """Sum of the sink's fetch high watermarks: grows whenever the transform sends (committed or not)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, isolation_level="read_uncommitted")
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in partitions]
        return sum(consumer.end_offsets(tps).values()) if tps else 0
    finally:
        consumer.close()


def order_violations(bootstrap: str, source_topic: str, sink_records: list) -> list[str]:
    """Places where a sink partition holds two records of one source partition out of source order."""
    source_partition = {json.loads(r.value)["seq"]: r.partition for r in read_topic(bootstrap, source_topic)}
    last: dict[tuple[int, int], tuple[int, int]] = {}  # (sink partition, source partition) → (seq, offset)
    violations = []
    for record in sorted(sink_records, key=lambda r: (r.partition, r.offset)):
        seq = json.loads(record.value)["SEQ"]
        lane = (record.partition, source_partition[seq])
        if lane in last and last[lane][0] >= seq:
            violations.append(f"sink {record.partition}@{record.offset}: seq {seq} after {last[lane][0]}")
        last[lane] = (seq, record.offset)
    return violations


def differences(actual: dict[bytes, list[dict]], expected: dict[bytes, list[dict]]) -> str:
    """A readable summary of how sink output differs from the expected: missing, duplicated, reordered."""
    lines = []
    for key in sorted(set(actual) | set(expected)):
        got = [v["SEQ"] for v in actual.get(key, [])]
        want = [v["SEQ"] for v in expected.get(key, [])]
        if got == want:
            continue
        missing = sorted(set(want) - set(got))
        dups = sorted({s for s in got if got.count(s) > 1})
        reordered = not missing and not dups and got != want
        lines.append(
            f"{key!r}: missing {missing[:10]} duplicated {dups[:10]} reordered={reordered} ({len(got)} vs {len(want)})"
        )
    return "\n".join(lines)
