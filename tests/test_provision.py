"""Topic provisioning from sql/streams: idempotent, and partition drift is reported, not "fixed"."""

from __future__ import annotations

from streamduck.kafka import admin
from streamduck.provision import provision_topics
from streamduck.settings import Settings


def test_creates_missing_topics_once_and_reports_drift(settings: Settings, topic_name: str) -> None:
    drifted = f"{topic_name}-old"
    admin.create_topic(settings, drifted, 1, 1)
    (settings.streams_dir / "a.sql").write_text(
        f"CREATE STREAM a (id STRING KEY, v STRING) WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=2);\n"
    )
    (settings.streams_dir / "b.sql").write_text(
        f"CREATE STREAM b (id STRING KEY, v STRING) WITH (kafka_topic='{drifted}', value_format='JSON', partitions=3);\n"
    )

    first = provision_topics(settings)
    assert first.created == [topic_name]
    assert first.drift == [{"topic": drifted, "declared": 3, "actual": 1}]
    assert admin.describe_topic(settings, topic_name).partition_count == 2

    again = provision_topics(settings)
    assert again.created == [] and sorted(again.existing) == sorted([topic_name, drifted])
    assert admin.describe_topic(settings, drifted).partition_count == 1  # reported, never altered
