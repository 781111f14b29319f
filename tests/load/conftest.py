"""Helpers for loader tests: topics, records, stream files, and the every-record-in-one-place oracle."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

from streamduck.kafka.clients import admin_client, consumer, producer
from streamduck.settings import Settings
from tests.conftest import STREAMDUCK_BIN

PEOPLE = (
    "CREATE STREAM {name} (id STRING KEY, name STRING, age INT, birthdate DATE) "
    "WITH (kafka_topic='{topic}', value_format='JSON', partitions={partitions}, replicas=1);\n"
)


def create_topic(settings: Settings, topic: str, partitions: int = 3) -> None:
    admin = admin_client(settings)
    try:
        admin.create_topics({topic: {"num_partitions": partitions, "replication_factor": 1}})
    finally:
        admin.close()


def define(settings: Settings, sql: str, filename: str = "people.sql") -> None:
    (settings.streams_dir / filename).write_text(sql, encoding="utf-8")


def people_stream(settings: Settings, topic: str, name: str = "people", partitions: int = 3) -> None:
    """Create the topic and a people stream definition mapping it."""
    create_topic(settings, topic, partitions)
    define(settings, PEOPLE.format(name=name, topic=topic, partitions=partitions), f"{name}.sql")


def person(i: int) -> bytes:
    return json.dumps(
        {"id": str(i), "name": f"person {i}", "age": i % 90, "birthdate": "1990-01-02"}
    ).encode()


def produce(settings: Settings, topic: str, records: list[tuple[bytes | None, bytes | None]]) -> None:
    client = producer(settings, linger_ms=5)
    try:
        for key, value in records:
            client.send(topic, key=key, value=value)
        client.flush()
    finally:
        client.close()


def produce_people(settings: Settings, topic: str, count: int, start: int = 0) -> None:
    produce(settings, topic, [(str(i).encode(), person(i)) for i in range(start, start + count)])


def topic_coordinates(settings: Settings, topic: str) -> set[tuple[int, int]]:
    """Every (partition, offset) in the topic: each partition read up to the high watermark its fetch
    responses report (the development broker's ListOffsets can under-report a partition's end)."""
    from kafka import TopicPartition

    client = consumer(settings)
    try:
        tps = [TopicPartition(topic, p) for p in sorted(client.partitions_for_topic(topic))]
        client.assign(tps)
        client.seek_to_beginning(*tps)
        seen: set[tuple[int, int]] = set()
        deadline = time.monotonic() + 60
        while not all(_read_to_the_end(client, tp) for tp in tps):
            assert time.monotonic() < deadline, f"{topic} was not read to its end within 60 s"
            for tp, records in client.poll(timeout_ms=200, max_records=50_000).items():
                seen.update((tp.partition, r.offset) for r in records)
        return seen
    finally:
        client.close()


def _read_to_the_end(client, tp) -> bool:  # type: ignore[no-untyped-def]
    highwater = client.highwater(tp)  # None until a fetch response for the partition arrived
    return highwater is not None and client.position(tp) >= highwater


def warehouse_rows(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    con = settings.backend.connect(read_only=True, wait_s=30)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def check_exactly_once(
    settings: Settings, stream: str, topic: str, *, this_incarnation: bool = False
) -> dict[str, int]:
    """The oracle: every record of the topic is in exactly one place (raw rows or dead letters).

    With ``this_incarnation``, rows and dead letters of the topic's earlier incarnations (renamed
    ``<topic>@<id>`` by ``streamduck reset``) are left out: only the topic as it is now is compared.
    """
    produced = topic_coordinates(settings, topic)
    only = [topic] if this_incarnation else []
    raw = warehouse_rows(
        settings,
        f'SELECT ROWPARTITION, ROWOFFSET FROM raw."{stream}"' + (" WHERE __topic = ?" if only else ""),
        only,
    )
    dead = warehouse_rows(
        settings,
        'SELECT "partition", "offset" FROM _streamduck.dead_letters WHERE stream = ?'
        + (" AND topic = ?" if only else ""),
        [stream, *only],
    )
    landed = raw + dead
    assert len(landed) == len(set(landed)), "a record landed twice"
    lost = produced - set(landed)
    assert not lost, f"{len(lost)} records lost, e.g. {sorted(lost)[:5]}"
    assert set(landed) <= produced, "rows without a record in the topic"
    return {"produced": len(produced), "rows": len(raw), "dead": len(dead)}


def load_cli(cli_env: dict[str, str], *args: str, env: dict[str, str] | None = None, timeout: float = 120):
    """Run ``streamduck load ARGS`` as a subprocess (real process, real exit code)."""
    return subprocess.run(
        [STREAMDUCK_BIN, "load", *args],
        env={**cli_env, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def people(settings: Settings, topic_name: str) -> str:
    """A 3-partition topic with a `people` stream mapped to it; returns the topic."""
    people_stream(settings, topic_name)
    return topic_name


def wait_for_group(settings: Settings, group: str, members: int, timeout_s: float = 90) -> None:
    """Wait until ``group`` is Stable with ``members`` members: its rebalance handed out the partitions."""
    from streamduck.kafka.admin import open_admin
    from streamduck.kafka.compat import describe_groups

    deadline = time.monotonic() + timeout_s
    with open_admin(settings) as admin:
        while True:
            found = describe_groups(admin, [group]).get(group, {})
            seen = (found.get("group_state"), len(found.get("members") or []))
            if seen == ("Stable", members):
                return
            assert time.monotonic() < deadline, f"group {group} never had {members} stable members: {seen}"
            time.sleep(0.3)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
