"""Topic names Kafka forbids are refused by `ksql apply` before anything is created, and never crash `load`."""

from __future__ import annotations

import pytest

from streamduck.kafka.admin import list_topics
from streamduck.kafka.names import topic_name_problem


@pytest.mark.parametrize("name", ["people", "fake_people", "a.b-c_D9", "x" * 249])
def test_legal_names(name):
    assert topic_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "cannot be empty"),
        (".", "reserved"),
        ("..", "reserved"),
        ("x" * 250, "250 characters long; Kafka allows at most 249"),
        ("people ✓", "contains ' ✓'"),
        ("a/b", "contains '/'"),
        ("café", "contains 'é'"),
    ],
)
def test_illegal_names(name, problem):
    assert problem in topic_name_problem(name)


def test_apply_refuses_an_illegal_topic_before_creating_any(cli, settings, topic_name):
    streams = settings.streams_dir
    (streams / "a.sql").write_text(
        f"CREATE STREAM good (x INT) WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=1);\n"
    )
    (streams / "b.sql").write_text(
        "CREATE STREAM bad (x INT)\n  WITH (kafka_topic='orders ✓', value_format='JSON', partitions=1);\n"
    )
    result = cli("ksql", "apply")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {streams / 'b.sql'}:1: CREATE STREAM BAD: KAFKA_TOPIC: topic name 'orders ✓' contains ' ✓'; "
        "Kafka allows only ASCII letters, digits, '.', '_' and '-'"
    ]
    assert topic_name not in list_topics(settings)
    assert not settings.backend.exists() or "GOOD" not in cli("ksql", "list").stdout


def test_load_names_the_definition_instead_of_crashing(cli, settings):
    (settings.streams_dir / "c.sql").write_text(
        "CREATE STREAM c (x INT) WITH (kafka_topic='..', value_format='JSON', partitions=1);\n"
    )
    result = cli("load", "--until-caught-up")
    assert result.exit_code == 1
    assert "KAFKA_TOPIC: topic name '..' is not allowed" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
