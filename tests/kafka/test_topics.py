"""``streamduck topics``: create, list, describe, delete through the CLI against the embedded broker."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from streamduck.kafka.admin import create_topic, list_topics
from streamduck.settings import Settings


def test_create_describe_list_delete(cli: Callable[..., Any], settings: Settings, topic_name: str) -> None:
    created = cli(
        "topics",
        "create",
        topic_name,
        "--partitions",
        "3",
        "--replication-factor",
        "1",
        "--config",
        "retention.ms=86400000",
        "--config",
        "cleanup.policy=compact,delete",
    )
    assert created.exit_code == 0, created.stderr
    assert f"Created topic {topic_name}." in created.stderr

    listed = cli("topics", "list")
    assert topic_name in listed.stdout.splitlines()

    described = cli("topics", "describe", topic_name)
    assert described.exit_code == 0, described.stderr
    header = described.stdout.splitlines()[0]
    assert f"Topic: {topic_name}" in header
    assert "PartitionCount: 3" in header and "ReplicationFactor: 1" in header
    assert "cleanup.policy=compact,delete" in header and "retention.ms=86400000" in header
    as_json = json.loads(cli("topics", "describe", topic_name, "--format", "json").stdout)[0]
    assert [p["partition"] for p in as_json["partitions"]] == [0, 1, 2]
    assert all(p["leader"] in p["replicas"] and p["isr"] == p["replicas"] for p in as_json["partitions"])

    deleted = cli("topics", "delete", topic_name, "--yes")
    assert deleted.exit_code == 0, deleted.stderr
    assert topic_name not in list_topics(settings)


def test_existing_topic_is_an_error_unless_if_not_exists(
    cli: Callable[..., Any], settings: Settings, topic_name: str
) -> None:
    create_topic(settings, topic_name, 2, 1)
    again = cli("topics", "create", topic_name, "-p", "2")
    assert again.exit_code == 1
    assert f"topic '{topic_name}' already exists" in again.stderr
    tolerated = cli("topics", "create", topic_name, "-p", "2", "--if-not-exists")
    assert tolerated.exit_code == 0, tolerated.stderr


def test_delete_asks_first(cli: Callable[..., Any], settings: Settings, topic_name: str) -> None:
    create_topic(settings, topic_name)
    declined = cli("topics", "delete", topic_name, input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.stderr + declined.stdout
    assert topic_name in list_topics(settings)
    confirmed = cli("topics", "delete", topic_name, input="y\n")
    assert confirmed.exit_code == 0, confirmed.stderr
    assert topic_name not in list_topics(settings)


def test_unknown_topic_is_named(cli: Callable[..., Any]) -> None:
    for args in (("describe", "no-such-topic"), ("delete", "no-such-topic", "--yes")):
        result = cli("topics", *args)
        assert result.exit_code == 1
        assert "topic 'no-such-topic' does not exist" in result.stderr
        assert "Traceback" not in result.stderr


def test_invalid_arguments_are_usage_errors(cli: Callable[..., Any], topic_name: str) -> None:
    bad_pair = cli("topics", "create", topic_name, "--config", "retention.ms")
    assert bad_pair.exit_code == 2
    assert "'retention.ms' is not of the form key=value" in bad_pair.stderr
    assert cli("topics", "create", topic_name, "--partitions", "0").exit_code == 2
    assert cli("topics", "create").exit_code == 2


def test_list_formats(cli: Callable[..., Any], settings: Settings, topic_name: str) -> None:
    create_topic(settings, topic_name)
    assert {"topic": topic_name} in json.loads(cli("topics", "list", "-f", "json").stdout)
    assert topic_name in cli("topics", "list", "-f", "csv").stdout.splitlines()


def test_alter_only_adds_partitions(cli: Callable[..., Any], settings: Settings, topic_name: str) -> None:
    create_topic(settings, topic_name, partitions=2)
    for fewer in ("1", "2"):
        result = cli("topics", "alter", topic_name, "--partitions", fewer)
        assert result.exit_code == 1
        assert f"topic '{topic_name}' has 2 partition(s): the number of partitions can only be increased" in (
            result.stderr
        )
    missing = cli("topics", "alter", "no-such-topic", "--partitions", "4")
    assert missing.exit_code == 1 and "topic 'no-such-topic' does not exist" in missing.stderr
    assert cli("topics", "alter", topic_name).exit_code == 2  # --partitions is required


def test_alter_on_a_broker_without_create_partitions_says_what_to_do(
    cli: Callable[..., Any], settings: Settings, topic_name: str
) -> None:
    # Tansu 0.6 has no CreatePartitions API; a Kafka cluster grows the topic.
    create_topic(settings, topic_name, partitions=1)
    result = cli("topics", "alter", topic_name, "--partitions", "3")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert f"cannot add partitions (no CreatePartitions API): re-create topic '{topic_name}'" in result.stderr
