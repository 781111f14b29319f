"""`load` follows the warehouse catalog: what `ksql apply FILE` registered, from any file."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from streamduck.load.sources import default_group
from tests.ksql.qtt import produce


def test_load_covers_sources_applied_from_outside_sql_streams(cli, settings, tmp_path, topic_name):
    elsewhere = tmp_path / "elsewhere.sql"
    elsewhere.write_text(
        f"CREATE STREAM test (id STRING KEY, value INT) "
        f"WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=1);\n"
        "CREATE STREAM doubled AS SELECT id, value * 2 AS twice FROM test;\n"
    )
    assert cli("ksql", "apply", str(elsewhere)).exit_code == 0
    produce(settings, topic_name, [("a", {"value": 1}), ("b", {"value": 2})])

    loaded = cli("load", "--until-caught-up")
    assert loaded.exit_code == 0, loaded.stderr
    assert f"group {default_group(settings)}" in loaded.stderr

    result = cli("sql", "SELECT * FROM doubled", "--format", "jsonl")
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"ID": "a", "TWICE": 2},
        {"ID": "b", "TWICE": 4},
    ]


def test_the_default_group_is_one_per_warehouse(settings, tmp_path):
    other = settings.model_copy(update={"warehouse": tmp_path / "other.duckdb"})
    assert default_group(settings) != default_group(other)
    assert default_group(settings) == default_group(settings.model_copy())
    assert default_group(settings).startswith("streamduck-loader-")
    # Stable across releases for DuckDB files: the hash of the file's resolved path.
    resolved = str(Path(settings.warehouse).resolve()).encode()
    assert default_group(settings) == f"streamduck-loader-{hashlib.sha256(resolved).hexdigest()[:12]}"


def test_the_default_group_of_a_ducklake_never_derives_from_its_password(settings):
    def group(catalog: str) -> str:
        return default_group(settings.model_copy(update={"warehouse": f"ducklake:postgres:{catalog}"}))

    with_password = group("dbname=lake host=db user=sd password=s3cret-one")
    assert with_password == group("dbname=lake host=db user=sd password='other secret'")
    assert with_password != group("dbname=lake host=db user=sd")
    assert with_password != group("dbname=lake2 host=db user=sd password=s3cret-one")


def test_nothing_applied_and_nothing_in_sql_streams_is_a_clear_error(cli):
    result = cli("load", "--until-caught-up")
    assert result.exit_code != 0
    assert "no source streams are defined" in result.stderr
    assert "ksql apply" in result.stderr


def test_a_bounded_load_reads_without_joining_an_idle_group(settings, tmp_path, topic_name, caplog):
    import logging

    from streamduck.kafka.admin import open_admin
    from streamduck.kafka.groups import committed_offsets
    from streamduck.ksql.apply import apply_path
    from streamduck.load import run_load

    path = tmp_path / "s.sql"
    path.write_text(
        f"CREATE STREAM s (id STRING KEY, v INT) WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=2);"
    )
    apply_path(settings, path)
    produce(settings, topic_name, [("a", {"v": 1}), ("b", {"v": 2})], partition=1)
    group = f"idle-{topic_name}"
    with caplog.at_level(logging.INFO, logger="streamduck.load.runner"):
        report = run_load(settings, group=group)
    assert report.rows == 2
    assert f"group {group} has no active member: reading all partitions without joining" in caplog.text
    with open_admin(settings) as admin:  # the group's offsets still show the progress
        assert {tp.partition: o for tp, o in committed_offsets(admin, group).items()} == {1: 2}


def test_the_load_dag_task_for_applied_sources_loads_those_outside_sql_streams(
    settings, tmp_path, topic_name
):
    from streamduck.airflow.tasks import load_applied
    from streamduck.ksql.apply import apply_path

    elsewhere = tmp_path / "elsewhere.sql"
    elsewhere.write_text(
        f"CREATE STREAM applied (id STRING KEY, v INT) WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=1);"
    )
    apply_path(settings, elsewhere)
    produce(settings, topic_name, [("a", {"v": 1})])
    assert load_applied(settings, declared=["APPLIED"]) == {"streams": []}  # a per-stream task has it
    report = load_applied(settings, declared=["FAKE_PEOPLE"])
    assert [(s["stream"], s["rows"]) for s in report["streams"]] == [("APPLIED", 1)]
