"""Exactly-once loading end to end against the embedded broker and a real DuckDB file."""

from __future__ import annotations

import json

from streamduck.load import run_load
from tests.load.conftest import (
    PEOPLE,
    check_exactly_once,
    create_topic,
    define,
    produce,
    produce_people,
    warehouse_rows,
)


def test_load_lands_every_record_once_and_replay_adds_nothing(settings, people):
    produce_people(settings, people, 900)
    report = run_load(settings, group="g-basic")
    assert report.rows == 900 and report.dead_letters == 0
    assert sum(last - first + 1 for first, last in report.streams[0].ranges.values()) == 900
    assert check_exactly_once(settings, "PEOPLE", people) == {"produced": 900, "rows": 900, "dead": 0}

    again = run_load(settings, group="g-basic")
    assert again.rows == 0 and again.batches == 0
    # A brand-new group still starts where the warehouse is: nothing is loaded twice.
    fresh = run_load(settings, group="g-other")
    assert fresh.rows == 0
    # At-least-once from a group with no commits re-reads the whole topic: all absorbed as duplicates.
    replay = run_load(settings, group="g-replay", guarantee="at-least-once")
    assert replay.rows == 0 and replay.streams[0].duplicates == 900
    check_exactly_once(settings, "PEOPLE", people)


def test_batches_read_during_the_group_join_are_committed_once(settings, people):
    produce_people(settings, people, 3000)
    # The embedded broker holds a join for ~3 s: ample time to read three 400-record batches ahead.
    report = run_load(settings, group="g-ahead", batch_size=400, read_ahead_batches=3, direct_when_idle=False)
    assert report.read_ahead_records >= 1200 and report.rows == 3000
    assert check_exactly_once(settings, "PEOPLE", people) == {"produced": 3000, "rows": 3000, "dead": 0}
    history = warehouse_rows(settings, "SELECT sum(records), count(*) FROM _streamduck.load_history")
    assert history == [(3000, report.batches)]

    produce_people(settings, people, 500, start=3000)
    quiet = run_load(settings, group="g-ahead", read_ahead_batches=0)
    assert quiet.read_ahead_records == 0 and quiet.rows == 500
    # Read ahead from the warehouse's offsets again: nothing left, nothing loaded twice.
    assert run_load(settings, group="g-ahead-2", batch_size=400, direct_when_idle=False).rows == 0
    check_exactly_once(settings, "PEOPLE", people)


def test_typed_view_has_declared_columns_and_pseudo_columns(settings, people):
    produce(
        settings, people, [(b"7", b'{"ID": "x", "Name": "Ann", "age": "41", "birthdate": 7305, "extra": 1}')]
    )
    run_load(settings, group="g-view")
    rows = warehouse_rows(
        settings, "SELECT id, name, age, birthdate, rowpartition, rowoffset, rowtime > 0 FROM people"
    )
    assert len(rows) == 1
    ident, name, age, birthdate, _partition, offset, has_time = rows[0]
    assert (ident, name, age, str(birthdate), offset, has_time) == ("7", "Ann", 41, "1990-01-01", 0, True)
    drift = warehouse_rows(settings, "SELECT field, kind, count FROM _streamduck.schema_drift ORDER BY field")
    assert ("extra", "undeclared", 1) in drift


def test_table_keeps_latest_row_per_key_and_tombstones_delete(settings, topic_name):
    create_topic(settings, topic_name, partitions=1)
    define(
        settings,
        f"CREATE TABLE users (id STRING PRIMARY KEY, name STRING) WITH (kafka_topic='{topic_name}', value_format='JSON');",
        "users.sql",
    )
    produce(
        settings,
        topic_name,
        [
            (b"a", b'{"name": "first"}'),
            (b"b", b'{"name": "bee"}'),
            (b"a", b'{"name": "second"}'),
            (b"b", None),  # tombstone: deletes b
            (None, b'{"name": "keyless"}'),  # a table row needs a key
        ],
    )
    report = run_load(settings, group="g-table")
    assert report.rows == 4 and report.dead_letters == 1
    assert warehouse_rows(settings, "SELECT id, name FROM users ORDER BY id") == [("a", "second")]
    assert warehouse_rows(settings, "SELECT reason FROM _streamduck.dead_letters") == [("null_key",)]

    # The latest rows are materialized batch by batch: a later batch updates, deletes, revives keys.
    produce(settings, topic_name, [(b"a", None), (b"c", b'{"name": "sea"}'), (b"b", b'{"name": "back"}')])
    assert run_load(settings, group="g-table").rows == 3
    assert warehouse_rows(settings, "SELECT id, name FROM users ORDER BY id") == [("b", "back"), ("c", "sea")]
    materialized = warehouse_rows(settings, "SELECT ID, NAME, ROWOFFSET FROM latest.USERS ORDER BY ID")
    assert materialized == [("b", "back", 7), ("c", "sea", 6)]
    assert warehouse_rows(settings, "SELECT count(*) FROM raw.USERS") == [(7,)]  # every record kept


def test_hostile_identifiers_cannot_inject_sql(settings, topic_name):
    create_topic(settings, topic_name, partitions=1)
    stream = 'we"ird; DROP TABLE x; --ünï'
    column = "na\"me'; DROP SCHEMA raw CASCADE; --"
    sql = (
        f'CREATE STREAM "{stream.replace(chr(34), chr(34) * 2)}" ("{column.replace(chr(34), chr(34) * 2)}" STRING, '
        f"\"ключ\" INT) WITH (kafka_topic='{topic_name}', value_format='JSON');"
    )
    define(settings, sql, "hostile.sql")
    produce(settings, topic_name, [(None, json.dumps({column: "ok", "ключ": 5}).encode())])
    report = run_load(settings, group="g-hostile")
    assert report.rows == 1
    quoted = stream.replace('"', '""')
    assert warehouse_rows(
        settings, f'SELECT * EXCLUDE (ROWTIME, ROWPARTITION, ROWOFFSET) FROM "{quoted}"'
    ) == [("ok", 5)]
    assert warehouse_rows(settings, "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'raw'") == [
        (1,)
    ]


def test_cli_names_what_is_wrong(settings, cli, people, topic_name):
    unknown = cli("load", "nope")
    assert unknown.exit_code == 1 and "no source stream named nope" in unknown.stderr
    define(settings, PEOPLE.format(name="ghost", topic=f"{topic_name}-missing", partitions=1), "ghost.sql")
    missing = cli("load", "ghost")
    assert missing.exit_code == 1 and f"topic '{topic_name}-missing'" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_two_streams_on_one_topic_each_load_every_record_once(settings, people):
    define(
        settings,
        f"CREATE STREAM names (name STRING) WITH (kafka_topic='{people}', value_format='JSON');",
        "names.sql",
    )
    produce_people(settings, people, 300)
    first = run_load(settings, group="g-shared")
    assert {s.stream: s.rows for s in first.streams} == {"PEOPLE": 300, "NAMES": 300}
    produce_people(settings, people, 60, start=300)
    second = run_load(settings, ["names"], group="g-names-only")  # NAMES ahead of PEOPLE now
    assert second.rows == 60
    third = run_load(settings, group="g-shared")
    assert {s.stream: s.rows for s in third.streams} == {"PEOPLE": 60, "NAMES": 0}
    check_exactly_once(settings, "PEOPLE", people)
    check_exactly_once(settings, "NAMES", people)
