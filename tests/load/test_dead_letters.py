"""Poison records: every bad kind lands in dead letters with its reason; list and replay via the CLI."""

from __future__ import annotations

import json
from collections import Counter

from streamduck.produce import generate
from tests.conftest import REPO_ROOT
from tests.load.conftest import create_topic, define, produce, warehouse_rows

# The producer's bad kinds and the reason the loader must give them (None: the record is loadable).
EXPECTED_REASON = {
    "not_json": "not_json",
    "truncated_json": "not_json",
    "invalid_utf8": "invalid_utf8",
    "wrong_root_type": "wrong_root_type",
    "wrong_field_type": "wrong_field_type",
    "oversized": "oversized",
    "tombstone": "tombstone",
    "missing_field": None,
    "null_key": None,
    "duplicate_key": None,
}


def test_poison_corpus_lands_in_dead_letters_with_the_right_reasons(settings, cli, topic_name):
    create_topic(settings, topic_name)
    definition = (REPO_ROOT / "sql" / "streams" / "fake_people.sql").read_text(encoding="utf-8")
    define(
        settings,
        definition.replace("kafka_topic='fake_people'", f"kafka_topic='{topic_name}'"),
        "fake_people.sql",
    )
    report = generate(settings, "people", topic=topic_name, count=1500, seed=7, bad_ratio=0.2)
    assert report.acknowledged == 1500 and report.bad_total > 100

    result = cli("load", "--group", "g-poison", "--format", "json")
    assert result.exit_code == 0, result.stderr
    loaded = json.loads(result.stdout)[0]
    assert loaded["rows"] + loaded["dead_letters"] == 1500

    dead = warehouse_rows(
        settings,
        """SELECT reason, (list_filter(headers, lambda h: h.key = 'streamduck-bad-kind')[1]).value::VARCHAR
           FROM _streamduck.dead_letters""",
    )
    for reason, kind in dead:
        assert kind is not None, f"a good record became a dead letter ({reason})"
        assert EXPECTED_REASON[kind] == reason, f"{kind} got reason {reason}"
    reasons = Counter(reason for reason, _ in dead)
    for kind, count in report.bad.items():
        if kind in (
            "not_json",
            "truncated_json",
            "invalid_utf8",
            "wrong_root_type",
            "oversized",
            "tombstone",
        ):
            assert sum(1 for r, k in dead if k == kind) == count, kind
    # A value of another JSON type is a dead letter only when it cannot be coerced (ksqlDB reads
    # 12345 as the STRING "12345", or as a DATE in days since the epoch).
    assert 0 < reasons["wrong_field_type"] <= report.bad["wrong_field_type"]

    listed = cli("dead-letters", "list", "--reason", "oversized", "--format", "json")
    assert listed.exit_code == 0 and all(r["reason"] == "oversized" for r in json.loads(listed.stdout))


def test_replay_after_a_definition_change_is_idempotent(settings, cli, topic_name):
    create_topic(settings, topic_name, partitions=1)
    sql = (
        "CREATE STREAM s (id STRING KEY, n {type}) WITH (kafka_topic='"
        + topic_name
        + "', value_format='JSON');"
    )
    define(settings, sql.format(type="INT"), "s.sql")
    produce(settings, topic_name, [(b"1", b'{"n": 1}'), (b"2", b'{"n": "two"}'), (b"3", b"nope")])
    assert cli("load", "--group", "g-replay").exit_code == 0
    assert warehouse_rows(settings, "SELECT reason FROM _streamduck.dead_letters ORDER BY reason") == [
        ("not_json",),
        ("wrong_field_type",),
    ]

    define(settings, sql.format(type="STRING"), "s.sql")  # the definition now accepts "two"
    first = cli("dead-letters", "replay", "--format", "json")
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout) == [{"stream": "S", "replayed": 1, "still_dead": 1}]
    again = cli("dead-letters", "replay", "--format", "json")
    assert json.loads(again.stdout) == [{"stream": "S", "replayed": 0, "still_dead": 1}]
    assert warehouse_rows(settings, "SELECT id, n FROM s ORDER BY id") == [("1", "1"), ("2", "two")]


def test_replay_into_a_table_respects_newer_records_and_tombstones(settings, cli, topic_name):
    create_topic(settings, topic_name, partitions=1)
    sql = (
        "CREATE TABLE t (id STRING PRIMARY KEY, n {type}) WITH (kafka_topic='"
        + topic_name
        + "', value_format='JSON');"
    )
    define(settings, sql.format(type="INT"), "t.sql")
    produce(
        settings,
        topic_name,
        [
            (b"gone", b'{"n": "x"}'),  # dead now, and deleted by the tombstone after it
            (b"gone", None),
            (b"kept", b'{"n": "y"}'),  # dead now, the key's only record
            (b"newer", b'{"n": "z"}'),  # dead now, but a newer record follows
            (b"newer", b'{"n": 5}'),
        ],
    )
    assert cli("load", "--group", "g-replay-table").exit_code == 0
    assert warehouse_rows(settings, "SELECT id, n FROM t ORDER BY id") == [("newer", 5)]

    define(settings, sql.format(type="STRING"), "t.sql")
    replayed = cli("dead-letters", "replay", "--format", "json")
    assert replayed.exit_code == 0, replayed.stderr
    assert json.loads(replayed.stdout) == [{"stream": "T", "replayed": 3, "still_dead": 0}]
    assert warehouse_rows(settings, "SELECT id, n FROM t ORDER BY id") == [("kept", "y"), ("newer", "5")]


def test_status_shows_offsets_lag_rows_and_dead_letters(settings, cli, topic_name):
    create_topic(settings, topic_name, partitions=1)
    define(
        settings,
        f"CREATE STREAM st (n INT) WITH (kafka_topic='{topic_name}', value_format='JSON');",
        "st.sql",
    )
    produce(settings, topic_name, [(None, b'{"n": 1}'), (None, b"[]")])
    assert cli("load", "--group", "g-status").exit_code == 0
    produce(settings, topic_name, [(None, b'{"n": 2}')])
    result = cli("status", "--format", "json")
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["stream"] == "ST" and row["rows"] == 1 and row["dead_letters"] == 1
    # Three records in the topic, two loaded: the lag is exactly one (a looser check once hid a lag
    # read from ListOffsets, which the development broker under-reports).
    assert row["warehouse_offsets"] == {"0": 2} and row["end_offsets"] == {"0": 3} and row["lag"] == 1
    assert row["last_load"] is not None

    described = cli("groups", "describe", "g-status", "--format", "json")
    assert described.exit_code == 0, described.stderr
    assert [(r["partition"], r["warehouse_offset"]) for r in json.loads(described.stdout)] == [(0, 2)]
