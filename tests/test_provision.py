"""Topic provisioning from sql/streams: idempotent, and partition drift is reported, not "fixed"."""

from __future__ import annotations

import pytest

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
    assert [(d["topic"], d["declared"], d["actual"], d["name"]) for d in first.drift] == [
        (drifted, 3, 1, "B")
    ]
    assert admin.describe_topic(settings, topic_name).partition_count == 2

    again = provision_topics(settings)
    assert again.created == [] and sorted(again.existing) == sorted([topic_name, drifted])
    assert admin.describe_topic(settings, drifted).partition_count == 1  # reported, never altered


def test_definitions_sharing_a_topic_take_the_declared_partitions_whatever_their_order(
    settings: Settings, topic_name: str
) -> None:
    # The tutorial's my_stream reads fake_people's topic without PARTITIONS; "a" sorts before "z".
    (settings.streams_dir / "a_reader.sql").write_text(
        f"CREATE STREAM a_reader (id STRING) WITH (kafka_topic='{topic_name}', value_format='JSON');\n"
    )
    (settings.streams_dir / "z_owner.sql").write_text(
        f"CREATE STREAM z_owner (id STRING KEY, v STRING) WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=3);\n"
    )
    assert provision_topics(settings).created == [topic_name]
    assert admin.describe_topic(settings, topic_name).partition_count == 3


def test_a_definition_without_partitions_is_refused_alike_by_provisioning_and_ksql_apply(
    cli, settings: Settings, topic_name: str
) -> None:
    """One rule (ksqlDB's): a missing topic needs PARTITIONS; it used to be created with 1 partition."""
    from streamduck.errors import DefinitionError
    from streamduck.kafka.admin import list_topics
    from streamduck.provision import provision_topics

    (settings.streams_dir / "bare.sql").write_text(
        f"CREATE STREAM bare (id STRING KEY, v STRING) WITH (kafka_topic='{topic_name}', value_format='JSON');\n"
    )
    with pytest.raises(DefinitionError, match=f"Topic '{topic_name}' does not exist. Add PARTITIONS"):
        provision_topics(settings)
    applied = cli("ksql", "apply", str(settings.streams_dir))
    assert applied.exit_code == 1
    assert f"Topic '{topic_name}' does not exist. Add PARTITIONS" in applied.stderr
    assert topic_name not in list_topics(settings)
