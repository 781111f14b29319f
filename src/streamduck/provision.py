"""Create the topics declared in ``sql/streams`` and report drift from the declarations."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any

from streamduck.settings import Settings

__all__ = ["ProvisionReport", "provision_topics"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProvisionReport:
    """Topics created by this call, and existing topics whose partition count differs from the file."""

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    drift: list[dict[str, Any]] = field(default_factory=list)


def provision_topics(settings: Settings) -> ProvisionReport:
    """Create every declared topic that is missing (idempotent); never alters existing topics.

    Raises:
        BrokerUnavailable: no broker answered.
        DefinitionError: a file under ``sql/streams`` is invalid.
    """
    from streamduck.kafka import admin
    from streamduck.ksql import load_sources

    report = ProvisionReport()
    existing = set(admin.list_topics(settings))
    for definition in load_sources(settings.streams_dir):
        if definition.topic not in existing:
            admin.create_topic(
                settings,
                definition.topic,
                definition.partitions or 1,
                definition.replicas or 1,
                if_not_exists=True,
            )
            existing.add(definition.topic)
            report.created.append(definition.topic)
            continue
        report.existing.append(definition.topic)
        actual = partition_count(admin.describe_topic(settings, definition.topic))
        if definition.partitions and actual is not None and actual != definition.partitions:
            report.drift.append(
                {"topic": definition.topic, "declared": definition.partitions, "actual": actual}
            )
            log.warning(
                "topic %s has %s partitions but %s declares %s",
                definition.topic,
                actual,
                definition.path or definition.name,
                definition.partitions,
            )
    return report


def partition_count(description: Any) -> int | None:
    """Number of partitions in a ``describe_topic`` result (a mapping or a dataclass)."""
    if dataclasses.is_dataclass(description) and not isinstance(description, type):
        description = dataclasses.asdict(description)
    if not isinstance(description, dict):
        return None
    for key in ("partition_count", "num_partitions", "partitions"):
        value = description.get(key)
        if isinstance(value, int):
            return value
        if isinstance(value, (list, dict)):
            return len(value)
    return None
