"""``streamduck configs describe|alter`` against the embedded broker."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from streamduck.kafka.admin import create_topic, describe_topic
from streamduck.settings import Settings


def _configs(cli: Callable[..., Any], topic: str) -> dict[str, str]:
    result = cli("configs", "describe", topic, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {row["name"]: row["value"] for row in json.loads(result.stdout)}


def test_describe_shows_configs_set_at_creation(
    cli: Callable[..., Any], settings: Settings, topic_name: str
) -> None:
    create_topic(settings, topic_name, configs={"retention.ms": "60000", "cleanup.policy": "compact"})
    assert _configs(cli, topic_name) == {"retention.ms": "60000", "cleanup.policy": "compact"}
    table = cli("configs", "describe", topic_name).stdout
    assert "retention.ms" in table and "60000" in table


def test_alter_adds_and_deletes(cli: Callable[..., Any], settings: Settings, topic_name: str) -> None:
    create_topic(settings, topic_name, configs={"cleanup.policy": "compact"})
    altered = cli(
        "configs",
        "alter",
        topic_name,
        "--add-config",
        "retention.ms=5000",
        "--add-config",
        "max.message.bytes=2097152",
        "--delete-config",
        "cleanup.policy",
    )
    assert altered.exit_code == 0, altered.stderr
    assert _configs(cli, topic_name) == {"retention.ms": "5000", "max.message.bytes": "2097152"}
    assert describe_topic(settings, topic_name).configs == {
        "max.message.bytes": "2097152",
        "retention.ms": "5000",
    }


def test_alter_errors(cli: Callable[..., Any], settings: Settings, topic_name: str) -> None:
    unknown = cli("configs", "alter", "no-such-topic", "--add-config", "retention.ms=1")
    assert unknown.exit_code == 1 and "topic 'no-such-topic' does not exist" in unknown.stderr
    assert cli("configs", "describe", "no-such-topic").exit_code == 1
    create_topic(settings, topic_name)
    nothing = cli("configs", "alter", topic_name)
    assert nothing.exit_code == 1 and f"nothing to alter on topic '{topic_name}'" in nothing.stderr
    bad = cli("configs", "alter", topic_name, "--add-config", "retention.ms")
    assert bad.exit_code == 2 and "--add-config 'retention.ms'" in bad.stderr
