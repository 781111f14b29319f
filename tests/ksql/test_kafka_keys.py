"""KAFKA-format keys (ksqlDB's default KEY_FORMAT) are Kafka's binary serializations, not text."""

from __future__ import annotations

import json
import math
import struct

import duckdb
import pytest

from streamduck.warehouse.kafka_keys import kafka_key_problem_sql, kafka_key_sql
from tests.ksql.qtt import kafka_key, produce

CASES = [
    ("INT", ">i", [0, 1, -1, 2**31 - 1, -(2**31), 123456]),
    ("BIGINT", ">q", [0, 1, -1, 2**63 - 1, -(2**63), 9876543210]),
    (
        "DOUBLE",
        ">d",
        [0.0, -0.0, 1.5, -2.25, 1e308, 5e-324, 2.2250738585072014e-308, math.pi, math.inf, -math.inf],
    ),
]


@pytest.mark.parametrize(("ksql_type", "layout", "values"), CASES)
def test_keys_decode_as_kafkas_serializers_wrote_them(ksql_type, layout, values):
    con = duckdb.connect()
    for value in values:
        (got,) = con.execute(
            f"SELECT {kafka_key_sql('k', ksql_type)} FROM (SELECT ?::BLOB AS k)", [struct.pack(layout, value)]
        ).fetchone()
        assert got == value and math.copysign(1, got) == math.copysign(1, value), (ksql_type, value, got)


def test_a_key_of_the_wrong_size_is_named_and_reads_as_null():
    con = duckdb.connect()
    sql = f"SELECT {kafka_key_sql('k', 'BIGINT')}, {kafka_key_problem_sql('k', 'BIGINT')} FROM (SELECT ?::BLOB AS k)"
    assert con.execute(sql, [b"12"]).fetchone() == (
        None,
        "key of 2 bytes is not a KAFKA-format BIGINT (8 bytes)",
    )
    assert con.execute(sql, [None]).fetchone() == (None, None)


def test_binary_keys_load_filter_and_join(cli, settings, tmp_path, topic_name):
    statements = tmp_path / "keys.sql"
    statements.write_text(
        f"""CREATE STREAM orders (id BIGINT KEY, item INT) WITH (kafka_topic='{topic_name}-o', value_format='JSON', partitions=1);
CREATE TABLE items (id INT PRIMARY KEY, name STRING) WITH (kafka_topic='{topic_name}-i', value_format='JSON', partitions=1);
CREATE STREAM prices (p DOUBLE KEY, note STRING) WITH (kafka_topic='{topic_name}-p', value_format='JSON', partitions=1);
CREATE STREAM named AS SELECT o.id, o.item, i.name FROM orders o JOIN items i ON o.item = i.id;
"""
    )
    assert cli("ksql", "apply", str(statements)).exit_code == 0
    produce(settings, f"{topic_name}-o", [(kafka_key("BIGINT", -7), {"item": 1}), (b"7", {"item": 2})])
    produce(
        settings,
        f"{topic_name}-i",
        [(kafka_key("INT", 1), {"name": "one"}), (kafka_key("INT", 2), {"name": "two"})],
    )
    produce(settings, f"{topic_name}-p", [(kafka_key("DOUBLE", 2.5), {"note": "x"})])
    assert cli("load", "--until-caught-up").exit_code == 0

    def rows(query: str) -> list[dict]:
        result = cli("sql", query, "--format", "jsonl")
        assert result.exit_code == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]

    assert rows("SELECT * FROM named") == [
        {"O_ID": -7, "O_ITEM": 1, "I_NAME": "one"}
    ]  # ksqlDB: qualified -> ALIAS_COLUMN
    assert rows("SELECT * FROM items WHERE id = 2") == [{"ID": 2, "NAME": "two"}]
    assert rows("SELECT p, note FROM prices") == [{"P": 2.5, "NOTE": "x"}]
    # the one-byte key of a BIGINT column is not a record ksqlDB can read: a dead letter, named
    dead = json.loads(cli("dead-letters", "list", "--format", "json").stdout)
    assert [(d["reason"], d["key"]) for d in dead] == [("invalid_key", "7")]


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (
            "k INT KEY, k2 INT KEY",
            "The 'KAFKA' format only supports a single field. Got: [`K` INTEGER KEY, `K2` INTEGER KEY]",
        ),
        ("k BOOLEAN KEY", "The 'KAFKA' format does not support type 'BOOLEAN'"),
        ("k ARRAY<INT> KEY", "The 'KAFKA' format does not support type 'ARRAY'"),
        ("k MAP<STRING, INT> KEY", "Map keys, including types that contain maps, are not supported"),
    ],
)
def test_keys_the_kafka_format_cannot_hold_are_rejected_as_ksqldb_does(cli, tmp_path, columns, message):
    path = tmp_path / "bad.sql"
    path.write_text(
        f"\nCREATE STREAM s ({columns}, v INT) WITH (kafka_topic='s', value_format='JSON', partitions=1);\n"
    )
    result = cli("ksql", "apply", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}:2: CREATE STREAM S: ")
    assert message in result.stderr and result.stderr.count("\n") == 1
