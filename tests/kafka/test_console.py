"""``streamduck produce`` / ``consume``: the console producer and consumer, in-process and as subprocesses."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest

from streamduck.kafka.admin import create_topic
from streamduck.kafka.clients import consumer, producer
from streamduck.kafka.groups import describe_group
from streamduck.settings import Settings
from tests.conftest import STREAMDUCK_BIN


def _send(
    settings: Settings, topic: str, records: list[tuple[bytes | None, bytes | None]], partition: int = 0
) -> None:
    """Records in one batch on one partition (the case where Tansu's ListOffsets under-reports)."""
    client = producer(settings, linger_ms=100)
    for key, value in records:
        client.send(topic, key=key, value=value, partition=partition)
    client.flush()
    client.close()


def _read_all(settings: Settings, topic: str, expected: int) -> list[Any]:
    from kafka import TopicPartition

    client = consumer(settings, group_id=None, auto_offset_reset="earliest")
    client.assign([TopicPartition(topic, p) for p in sorted(client.partitions_for_topic(topic))])
    records: list[Any] = []
    deadline = time.monotonic() + 10
    while len(records) < expected and time.monotonic() < deadline:
        for batch in client.poll(timeout_ms=200).values():
            records.extend(batch)
    client.close()
    return records


def test_keyed_lines_round_trip(cli: Callable[..., Any], settings: Settings, topic_name: str) -> None:
    create_topic(settings, topic_name, partitions=3)
    produced = cli("produce", topic_name, "--key-separator", ":", input='alice:{"n": 1}\nbob:x:y\n')
    assert produced.exit_code == 0, produced.stderr
    assert produced.stdout == ""
    assert "2 records sent" in produced.stderr
    consumed = cli("consume", topic_name, "--from-beginning", "--max-messages", "2", "--print-key")
    assert consumed.exit_code == 0, consumed.stderr
    assert sorted(consumed.stdout.splitlines()) == ['alice\t{"n": 1}', "bob\tx:y"]
    assert "Processed a total of 2 messages" in consumed.stderr


def test_lines_without_separator_get_null_keys(
    cli: Callable[..., Any], settings: Settings, topic_name: str
) -> None:
    create_topic(settings, topic_name)
    assert cli("produce", topic_name, input="one:1\ntwo\n").exit_code == 0
    records = _read_all(settings, topic_name, 2)
    assert [(r.key, r.value) for r in records] == [(None, b"one:1"), (None, b"two")]


def test_line_missing_the_separator_is_named(
    cli: Callable[..., Any], settings: Settings, topic_name: str
) -> None:
    create_topic(settings, topic_name)
    result = cli("produce", topic_name, "--key-separator", "|", input="a|1\nb|2\nthird line\n")
    assert result.exit_code == 1
    assert "line 3 has no key separator '|'" in result.stderr


def test_consumer_starts_at_the_end_and_times_out(
    cli: Callable[..., Any], settings: Settings, topic_name: str
) -> None:
    create_topic(settings, topic_name)
    _send(settings, topic_name, [(None, b"old-%d" % i) for i in range(5)])
    started = time.monotonic()
    result = cli("consume", topic_name, "--timeout-ms", "700")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "", "records already in the topic must not be printed without --from-beginning"
    assert "Processed a total of 0 messages" in result.stderr
    assert 0.7 <= time.monotonic() - started < 10


def test_consumer_sees_only_new_records(settings: Settings, cli_env: dict[str, str], topic_name: str) -> None:
    create_topic(settings, topic_name)
    _send(settings, topic_name, [(None, b"old-%d" % i) for i in range(3)])
    with subprocess.Popen(
        [STREAMDUCK_BIN, "consume", topic_name, "--max-messages", "2", "--timeout-ms", "15000"],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        # Keep producing until it has printed two records: however long it takes to start, it
        # must print only records produced after it started, never the old ones.
        sent = 0
        while proc.poll() is None and sent < 60:
            sent += 1
            _send(settings, topic_name, [(None, b"new-%d" % sent)])
            time.sleep(0.25)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    printed = out.splitlines()
    assert len(printed) == 2 and all(line.startswith("new-") for line in printed), printed


def test_binary_values_are_escaped(cli: Callable[..., Any], settings: Settings, topic_name: str) -> None:
    create_topic(settings, topic_name)
    _send(settings, topic_name, [(b"\xfe", b"caf\xc3\xa9 \xff\x00"), (b"k", None)])
    result = cli("consume", topic_name, "--from-beginning", "--print-key", "--timeout-ms", "1000")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["\\xfe\tcafé \\xff\x00", "k\tnull"]


def test_group_commits_what_was_printed(cli: Callable[..., Any], settings: Settings, topic_name: str) -> None:
    create_topic(settings, topic_name)
    _send(settings, topic_name, [(None, b"r%d" % i) for i in range(5)])
    group = f"console-{topic_name}"
    first = cli("consume", topic_name, "--from-beginning", "--group", group, "--max-messages", "3")
    assert first.stdout.splitlines() == ["r0", "r1", "r2"], first.stderr
    [row] = describe_group(settings, group)
    assert (row["current_offset"], row["log_end_offset"], row["lag"]) == (3, 5, 2)
    resumed = cli("consume", topic_name, "--group", group, "--timeout-ms", "1000")
    assert resumed.stdout.splitlines() == ["r3", "r4"], resumed.stderr


def test_without_group_nothing_is_committed(
    cli: Callable[..., Any], settings: Settings, topic_name: str
) -> None:
    from streamduck.kafka.groups import list_groups

    create_topic(settings, topic_name)
    _send(settings, topic_name, [(None, b"x")])
    before = {g["group"] for g in list_groups(settings)}
    assert cli("consume", topic_name, "--from-beginning", "--max-messages", "1").stdout == "x\n"
    # No new group (the session broker's other groups may come and go meanwhile).
    assert {g["group"] for g in list_groups(settings)} - before == set()


def test_unknown_topic_is_named(cli: Callable[..., Any]) -> None:
    consumed = cli("consume", "no-such-topic", "--timeout-ms", "100")
    assert consumed.exit_code == 1 and "topic 'no-such-topic' does not exist" in consumed.stderr
    produced = cli("produce", "no-such-topic", "--no-create-topic", input="x\n")
    assert produced.exit_code == 1 and "topic 'no-such-topic' does not exist" in produced.stderr


@pytest.mark.parametrize("args", [("--max-messages", "0"), ("--timeout-ms", "-1"), ("--bogus",)])
def test_invalid_consume_arguments_are_usage_errors(cli: Callable[..., Any], args: tuple[str, ...]) -> None:
    assert cli("consume", "t", *args).exit_code == 2


def test_console_scripts_round_trip(settings: Settings, cli_env: dict[str, str], topic_name: str) -> None:
    create_topic(settings, topic_name, partitions=2)
    lines = "".join(f"key{i % 3}=value {i}\n" for i in range(50))
    produced = subprocess.run(
        [STREAMDUCK_BIN, "produce", topic_name, "--key-separator", "="],
        input=lines,
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert produced.returncode == 0, produced.stderr
    assert produced.stdout == "" and "50 records sent" in produced.stderr
    consumed = subprocess.run(
        [STREAMDUCK_BIN, "consume", topic_name, "--from-beginning", "--max-messages", "50", "--print-key"],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert consumed.returncode == 0, consumed.stderr
    assert sorted(consumed.stdout.splitlines()) == sorted(f"key{i % 3}\tvalue {i}" for i in range(50))


@pytest.mark.parametrize(
    "command", [["topics", "list"], ["consume", "t", "--timeout-ms", "100"], ["groups", "list"]]
)
def test_unreachable_broker_fails_fast_naming_it(cli_env: dict[str, str], command: list[str]) -> None:
    from streamduck.broker import free_port

    address = f"127.0.0.1:{free_port()}"
    env = {**cli_env, "STREAMDUCK_BOOTSTRAP_SERVERS": address, "STREAMDUCK_CONNECT_TIMEOUT_MS": "1000"}
    started = time.monotonic()
    result = subprocess.run([STREAMDUCK_BIN, *command], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert f"no Kafka broker answered at {address}" in result.stderr
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 10


def test_input_bytes_that_are_not_utf8_pass_through(
    cli: Callable[..., Any], settings: Settings, topic_name: str
) -> None:
    create_topic(settings, topic_name)
    result = cli("produce", topic_name, "--key-separator", ":", input=b"k\xff:v\xfe\xc3\xa9\n")
    assert result.exit_code == 0, result.stderr
    [record] = _read_all(settings, topic_name, 1)
    assert (record.key, record.value) == (b"k\xff", b"v\xfe\xc3\xa9")


def test_ctrl_c_stops_a_waiting_consumer_cleanly(
    settings: Settings, cli_env: dict[str, str], topic_name: str
) -> None:
    import signal

    create_topic(settings, topic_name)
    _send(settings, topic_name, [(None, b"first")])
    with subprocess.Popen(
        [STREAMDUCK_BIN, "consume", topic_name, "--from-beginning"],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "first\n"  # it is now waiting for more, with no limit
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Processed a total of 1 messages" in err and "Traceback" not in err


def test_a_group_commit_during_a_rebalance_is_kept_for_later_not_fatal(
    settings: Settings, topic_name: str
) -> None:
    """A second console consumer joining the group (the tutorial's demo) makes the first one's commit
    meet a rebalance: it is retried later instead of ending the command with RebalanceInProgressError."""
    from kafka import TopicPartition

    from streamduck.kafka.clients import close_consumer
    from streamduck.kafka.console import _commit

    create_topic(settings, topic_name, partitions=1)
    group = f"{topic_name}-group"
    member = consumer(
        settings, topic_name, group_id=group, session_timeout_ms=6000, heartbeat_interval_ms=1000
    )
    try:
        member.poll(timeout_ms=100)  # joining: the group is rebalancing
        used, committed = {TopicPartition(topic_name, 0): 1}, set()
        _commit(member, group, used, committed)
        assert committed == set() and used == {}  # not ours yet: the partition's owner commits it
        deadline = time.monotonic() + 15
        while not member.assignment() and time.monotonic() < deadline:
            member.poll(timeout_ms=200)
        used = {TopicPartition(topic_name, 0): 1}
        _commit(member, group, used, committed)
        assert committed == {TopicPartition(topic_name, 0)} and used == {}
    finally:
        close_consumer(member)
