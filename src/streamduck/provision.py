"""Create the topics source definitions declare, with one rule for ``ksql apply``, the DAGs and the demo.

The rule is ksqlDB's: a definition whose topic exists uses it as it is (a different partition count
is reported as drift, never "fixed"); a missing topic is created with the declared PARTITIONS (and
REPLICAS, default 1); a missing topic that no definition gives PARTITIONS for is refused, naming the
file and line. Several definitions may share a topic (``my_stream`` reads ``fake_people``'s topic):
the one that declares PARTITIONS decides.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from streamduck.errors import DefinitionError
from streamduck.settings import Settings

if TYPE_CHECKING:
    from streamduck.ksql.model import SourceDefinition

__all__ = ["ProvisionReport", "provision_sources", "provision_topics"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProvisionReport:
    """Topics created by this call, topics that existed, and existing topics whose partitions differ."""

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    drift: list[dict[str, Any]] = field(default_factory=list)

    def warnings(self) -> list[str]:
        """One line per drifted topic, naming the definition."""
        return [
            f"{d['where']}: topic '{d['topic']}' has {d['actual']} partitions, {d['name']} declares "
            f"{d['declared']}; topic left unchanged"
            for d in self.drift
        ]


def provision_topics(settings: Settings) -> ProvisionReport:
    """Provision every source declared under ``sql/streams`` (idempotent; one topic list request
    plus one describe per declared existing topic).

    Raises:
        BrokerUnavailable: no broker answered.
        DefinitionError: a file under ``sql/streams`` is invalid, or declares a missing topic
            without PARTITIONS.
    """
    from streamduck.ksql import load_sources

    return provision_sources(settings, load_sources(settings.streams_dir))


def provision_sources(settings: Settings, definitions: Iterable[SourceDefinition]) -> ProvisionReport:
    """Apply the module's rule to ``definitions``; nothing is created when one of them is refused.

    Raises:
        BrokerUnavailable: no broker answered.
        DefinitionError: a missing topic that no definition gives PARTITIONS for.
    """
    from streamduck.kafka import admin

    by_topic: dict[str, list[SourceDefinition]] = {}
    for definition in definitions:
        by_topic.setdefault(definition.topic, []).append(definition)
    if not by_topic:
        return ProvisionReport()
    existing = set(admin.list_topics(settings))
    to_create = {topic: _deciding(group) for topic, group in by_topic.items() if topic not in existing}
    report = ProvisionReport()
    for topic, definition in to_create.items():
        admin.create_topic(
            settings, topic, definition.partitions or 1, definition.replicas or 1, if_not_exists=True
        )
        report.created.append(topic)
    for topic in [t for t in by_topic if t in existing]:
        report.existing.append(topic)
        actual = admin.describe_topic(settings, topic).partition_count
        for definition in by_topic[topic]:
            if definition.partitions is not None and definition.partitions != actual:
                report.drift.append(
                    {
                        "topic": topic,
                        "declared": definition.partitions,
                        "actual": actual,
                        "name": definition.name,
                        "where": _where(definition),
                    }
                )
    for line in report.warnings():
        log.warning("%s", line)
    return report


def _deciding(definitions: list[SourceDefinition]) -> SourceDefinition:
    """The definition whose PARTITIONS create a missing topic; refused when none declares any."""
    declaring = [d for d in definitions if d.partitions is not None]
    if declaring:
        return declaring[0]
    first = definitions[0]
    raise DefinitionError(
        f"{_where(first)}: CREATE {first.kind} {first.name}: Topic '{first.topic}' does not exist. "
        "Add PARTITIONS to the WITH clause to create it"
    )


def _where(definition: SourceDefinition) -> str:
    return f"{definition.path}:{definition.line}" if definition.path else definition.name
