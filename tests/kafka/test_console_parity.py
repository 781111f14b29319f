"""``produce``/``consume`` options of Kafka's console scripts: topic creation, tombstones, headers,
``--partition``/``--offset`` and the ``print.*`` properties, against the embedded broker."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from typing import Any

from streamduck.kafka.admin import create_topic, describe_topic, list_topics
from streamduck.settings import Settings
from tests.conftest import STREAMDUCK_BIN
from tests.kafka.test_console import _read_all, _send


def test_produce_creates_a_missing_topic_with_the_cluster_defaults(
    cli: Callable[..., Any], settings: Settings, topic_name: str
) -> None:
    assert topic_name not in list_topics(settings)
    produced = cli("produce", topic_name, input="a\nb\n")
    assert produced.exit_code == 0, produced.stderr
    # Tansu's defaults: 3 partitions, one replica.
    assert (
        f"Created topic {topic_name} with 3 partition(s) and replication factor 1 (the cluster's defaults)."
        in produced.stderr
    )
    assert describe_topic(settings, topic_name).partition_count == 3
    assert sorted(r.value for r in _read_all(settings, topic_name, 2)) == [b"a", b"b"]
    again = cli("produce", topic_name, input="c\n")
    assert again.exit_code == 0 and "Created topic" not in again.stderr


def test_produce_creates_with_the_given_shape(
    cli: Callable[..., Any], settings: Settings, topic_name: str
) -> None:
    produced = cli("produce", topic_name, "--partitions", "2", "--replication-factor", "1", input="x\n")
    assert produced.exit_code == 0, produced.stderr
    assert "with 2 partition(s) and replication factor 1 (as asked)" in produced.stderr
    assert describe_topic(settings, topic_name).partition_count == 2


def test_opting_out_and_consuming_never_create_topics(
    cli: Callable[..., Any], settings: Settings, topic_name: str
) -> None:
    refused = cli("produce", topic_name, "--no-create-topic", input="x\n")
    assert refused.exit_code == 1 and f"topic '{topic_name}' does not exist" in refused.stderr
    consumed = cli("consume", topic_name, "--timeout-ms", "100")
    assert consumed.exit_code == 1 and f"topic '{topic_name}' does not exist" in consumed.stderr
    assert topic_name not in list_topics(settings)


def test_tombstones_and_headers_reach_the_topic(
    cli: Callable[..., Any], settings: Settings, topic_name: str
) -> None:
    create_topic(settings, topic_name)
    lines = "trace:1,src:cli\tk1:v1\n\tk1:NULL\n\tNULL:keyless\n"
    produced = cli(
        "produce", topic_name, "--key-separator", ":", "--null-marker", "NULL",
        "--property", "parse.headers=true", input=lines,
    )  # fmt: skip
    assert produced.exit_code == 0, produced.stderr
    records = sorted(_read_all(settings, topic_name, 3), key=lambda r: r.offset)
    assert [(r.key, r.value, r.headers) for r in records] == [
        (b"k1", b"v1", [("trace", b"1"), ("src", b"cli")]),
        (b"k1", None, []),
        (None, b"keyless", []),
    ]


def test_a_malformed_header_line_is_named_and_nothing_after_it_is_sent(
    cli: Callable[..., Any], settings: Settings, topic_name: str
) -> None:
    create_topic(settings, topic_name)
    produced = cli(
        "produce", topic_name, "--property", "parse.headers=true", input="h:1\tok\nno tab\nlater\n"
    )
    assert produced.exit_code == 1
    assert "line 2 has no headers delimiter" in produced.stderr
    assert [r.value for r in _read_all(settings, topic_name, 1)] == [b"ok"]


def test_consume_one_partition_from_an_offset_with_kafkas_print_properties(
    cli: Callable[..., Any], settings: Settings, topic_name: str
) -> None:
    create_topic(settings, topic_name, partitions=2)
    _send(settings, topic_name, [(b"a", b"0"), (b"b", b"1"), (b"c", b"2")], partition=1)
    _send(settings, topic_name, [(b"z", b"other")], partition=0)
    printed = cli(
        "consume", topic_name, "--partition", "1", "--offset", "1", "--max-messages", "2",
        "--property", "print.partition=true", "--property", "print.offset=true",
        "--property", "print.key=true", "--property", "print.headers=true",
    )  # fmt: skip
    assert printed.exit_code == 0, printed.stderr
    assert printed.stdout.splitlines() == [
        "Partition:1\tOffset:1\tNO_HEADERS\tb\t1",
        "Partition:1\tOffset:2\tNO_HEADERS\tc\t2",
    ]
    earliest = cli("consume", topic_name, "--partition", "0", "--offset", "earliest", "--max-messages", "1",
                   "--property", "print.timestamp=true")  # fmt: skip
    assert earliest.exit_code == 0, earliest.stderr
    timestamp, value = earliest.stdout.strip().split("\t")
    assert timestamp.startswith("CreateTime:") and int(timestamp.split(":")[1]) > 0 and value == "other"
    latest = cli("consume", topic_name, "--partition", "1", "--offset", "latest", "--timeout-ms", "500")
    assert latest.exit_code == 0 and latest.stdout == ""


def test_conflicting_or_impossible_consume_options_are_named(
    cli: Callable[..., Any], settings: Settings, topic_name: str
) -> None:
    create_topic(settings, topic_name, partitions=2)
    for args, message in (
        (("--offset", "3"), "--offset needs --partition"),
        (("--partition", "0", "--offset", "3", "--from-beginning"), "cannot be given together"),
        (("--partition", "0", "--group", "g"), "--group and --partition cannot be given together"),
        (("--partition", "5"), f"topic '{topic_name}' has no partition 5 (it has 2)"),
        (("--partition", "0", "--offset", "first"), "--offset 'first': expected a non-negative number"),
        (("--property", "print.time=true"), "'print.time' is not a known property"),
    ):
        result = cli("consume", topic_name, "--timeout-ms", "200", *args)
        assert result.exit_code == 1, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr


def test_version_is_printed(cli_env: dict[str, str]) -> None:
    from importlib.metadata import version

    result = subprocess.run(
        [STREAMDUCK_BIN, "--version"], env=cli_env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0 and result.stdout == f"streamduck {version('streamduck')}\n"
