"""``streamduck groups list|describe|reset-offsets`` against the embedded broker."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from streamduck.kafka.admin import create_topic
from streamduck.kafka.clients import consumer, producer
from streamduck.settings import Settings


def _fill(settings: Settings, topic: str, per_partition: dict[int, int]) -> None:
    client = producer(settings, linger_ms=50)  # several records per batch: Tansu's ListOffsets under-reports
    for partition, count in per_partition.items():
        for i in range(count):
            client.send(topic, value=b"%d" % i, partition=partition)
    client.flush()
    client.close()


def _commit(settings: Settings, group: str, offsets: dict[tuple[str, int], int]) -> None:
    from kafka.structs import OffsetAndMetadata, TopicPartition

    from streamduck.kafka.admin import open_admin

    with open_admin(settings) as admin:
        admin.alter_group_offsets(
            group, {TopicPartition(t, p): OffsetAndMetadata(o, "", None) for (t, p), o in offsets.items()}
        )


@pytest.fixture
def group(settings: Settings, topic_name: str) -> Iterator[str]:
    """An inactive group with commits on partitions 0 and 1 of a 3-partition topic (partition 2 never read)."""
    create_topic(settings, topic_name, partitions=3)
    _fill(settings, topic_name, {0: 10, 1: 4, 2: 6})
    name = f"grp-{topic_name}"
    _commit(settings, name, {(topic_name, 0): 3, (topic_name, 1): 4})
    yield name


def _rows(cli: Callable[..., Any], *args: str) -> list[dict[str, Any]]:
    result = cli(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_list_and_describe_show_lag(cli: Callable[..., Any], group: str, topic_name: str) -> None:
    assert {"group": group, "state": "Empty", "protocol_type": None, "members": 0} in _rows(
        cli, "groups", "list"
    )
    rows = _rows(cli, "groups", "describe", group)
    assert [
        (r["topic"], r["partition"], r["current_offset"], r["log_end_offset"], r["lag"]) for r in rows
    ] == [(topic_name, 0, 3, 10, 7), (topic_name, 1, 4, 4, 0), (topic_name, 2, None, 6, None)]
    table = cli("groups", "describe", group).stdout
    assert "log_end_offset" in table and "current_offset" in table


def test_reset_is_a_dry_run_unless_executed(
    cli: Callable[..., Any], settings: Settings, group: str, topic_name: str
) -> None:
    planned = _rows(cli, "groups", "reset-offsets", group, "--to-earliest")
    assert [(r["partition"], r["current_offset"], r["new_offset"]) for r in planned] == [
        (0, 3, 0),
        (1, 4, 0),
        (2, None, 0),
    ]
    assert [r["current_offset"] for r in _rows(cli, "groups", "describe", group)] == [3, 4, None]

    executed = cli("groups", "reset-offsets", group, "--topic", topic_name, "--to-latest", "--execute")
    assert executed.exit_code == 0, executed.stderr
    assert [r["current_offset"] for r in _rows(cli, "groups", "describe", group)] == [10, 4, 6]

    clamped = _rows(cli, "groups", "reset-offsets", group, "--to-offset", "5", "--execute")
    assert [r["new_offset"] for r in clamped] == [5, 4, 5]
    assert [r["lag"] for r in _rows(cli, "groups", "describe", group)] == [5, 0, 1]


def test_resetting_an_active_group_fails(
    cli: Callable[..., Any], settings: Settings, group: str, topic_name: str
) -> None:
    member = consumer(
        settings, topic_name, group_id=group, session_timeout_ms=6000, heartbeat_interval_ms=1000
    )
    try:
        for _ in range(40):
            member.poll(timeout_ms=250)
            if member.assignment():
                break
        assert member.assignment(), "the member should have joined"
        result = cli("groups", "reset-offsets", group, "--to-earliest", "--execute")
        assert result.exit_code == 1
        assert f"group '{group}' can only be reset when it is inactive" in result.stderr
        assert "Stable" in result.stderr
    finally:
        member.close(autocommit=False)


def test_unknown_group_and_topic_are_named(cli: Callable[..., Any], group: str) -> None:
    for args in (("describe", "no-such-group"), ("reset-offsets", "no-such-group", "--to-earliest")):
        result = cli("groups", *args)
        assert result.exit_code == 1 and "consumer group 'no-such-group' does not exist" in result.stderr
    missing_topic = cli("groups", "reset-offsets", group, "--topic", "no-such-topic", "--to-latest")
    assert missing_topic.exit_code == 1 and "topic 'no-such-topic' does not exist" in missing_topic.stderr


@pytest.mark.parametrize(
    "targets",
    [(), ("--to-earliest", "--to-latest"), ("--to-offset", "-1"), ("--to-current", "--shift-by", "1")],
)
def test_reset_needs_exactly_one_target(cli: Callable[..., Any], targets: tuple[str, ...]) -> None:
    result = cli("groups", "reset-offsets", "g", *targets)
    assert result.exit_code == 2


def test_reset_to_current_shift_and_partition_scope(
    cli: Callable[..., Any], settings: Settings, group: str, topic_name: str
) -> None:
    current = _rows(cli, "groups", "reset-offsets", group, "--to-current")
    assert [r["new_offset"] for r in current] == [3, 4, 6]  # no commit on partition 2: its log end
    shifted = cli(
        "groups", "reset-offsets", group, "--topic", f"{topic_name}:0,1", "--shift-by", "-2", "--execute"
    )
    assert shifted.exit_code == 0, shifted.stderr
    assert f"Committed new offsets of group {group} for 2 partition(s) (2 moved)." in shifted.stderr
    assert [r["current_offset"] for r in _rows(cli, "groups", "describe", group)] == [1, 2, None]
    forward = _rows(cli, "groups", "reset-offsets", group, "--topic", f"{topic_name}:0", "--shift-by", "50")
    assert [(r["partition"], r["new_offset"]) for r in forward] == [(0, 10)]  # clamped to the log end
    no_commit = cli("groups", "reset-offsets", group, "--topic", f"{topic_name}:2", "--shift-by", "1")
    assert no_commit.exit_code == 1
    assert f"cannot shift {topic_name}[2]: the group has no committed offset there" in no_commit.stderr
    missing = cli("groups", "reset-offsets", group, "--topic", f"{topic_name}:7", "--to-earliest")
    assert missing.exit_code == 1 and f"topic '{topic_name}' has no partition 7" in missing.stderr


def test_reset_to_datetime_finds_the_first_record_at_or_after_it(
    cli: Callable[..., Any], settings: Settings, topic_name: str
) -> None:
    create_topic(settings, topic_name, partitions=2)
    client = producer(settings, linger_ms=50)
    for i, ts in enumerate((1_000, 2_000, 3_000, 4_000)):  # 1970-01-01T00:00:01Z ...
        client.send(topic_name, value=b"%d" % i, partition=0, timestamp_ms=ts)
    client.send(topic_name, value=b"x", partition=1, timestamp_ms=1_500)
    client.flush()
    client.close()
    group = f"grp-{topic_name}"
    _commit(settings, group, {(topic_name, 0): 0, (topic_name, 1): 0})
    rows = _rows(
        cli, "groups", "reset-offsets", group, "--to-datetime", "1970-01-01T00:00:02.500Z", "--execute"
    )
    assert [(r["partition"], r["new_offset"]) for r in rows] == [
        (0, 2),
        (1, 1),
    ]  # partition 1: nothing that late
    exact = _rows(cli, "groups", "reset-offsets", group, "--to-datetime", "1970-01-01T01:00:02+01:00")
    assert [r["new_offset"] for r in exact] == [1, 1]
    bad = cli("groups", "reset-offsets", group, "--to-datetime", "yesterday")
    assert bad.exit_code == 1 and "--to-datetime 'yesterday' is not a date-time" in bad.stderr
