"""Unit tests: the ksqlDB dialect, statement splitting, types and source definitions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from streamduck.errors import DefinitionError
from streamduck.ksql import load_sources
from streamduck.ksql.dialect import KsqlCreate, KsqlDescribe, KsqlDrop, KsqlInsert, KsqlShow
from streamduck.ksql.parser import parse_text
from streamduck.ksql.sources import definition_from
from streamduck.ksql.types import UnsupportedType, duckdb_type

REPO = Path(__file__).resolve().parents[2]
TUTORIAL = (
    "CREATE STREAM my_stream (id STRING, name STRING, title STRING) "
    "with (kafka_topic='fake_people', value_format='JSON');"
)


def source(text: str):
    (statement,) = parse_text(text, Path("s.sql"))
    return definition_from(statement)


def test_tutorial_statement_verbatim():
    definition = source(TUTORIAL)
    assert (definition.name, definition.kind, definition.topic, definition.value_format) == (
        "MY_STREAM",
        "STREAM",
        "fake_people",
        "JSON",
    )
    assert [(c.name, c.type, c.role, c.field) for c in definition.columns] == [
        ("ID", "STRING", "value", "id"),
        ("NAME", "STRING", "value", "name"),
        ("TITLE", "STRING", "value", "title"),
    ]


def test_statements_keep_their_lines_and_text():
    text = (
        "-- header\nCREATE STREAM a (x INT) WITH (kafka_topic='a', value_format='JSON');\n\n\nSHOW STREAMS;\n"
    )
    first, second = parse_text(text)
    assert (first.line, second.line) == (2, 5)
    assert first.text.startswith("CREATE STREAM a") and first.text.endswith("value_format='JSON')")


def test_semicolon_inside_a_string_does_not_split():
    statements = parse_text("CREATE STREAM a (`x;y` STRING) WITH (kafka_topic='ab', value_format='JSON');")
    assert len(statements) == 1
    assert [c.name for c in source(statements[0].text).columns] == ["x;y"]


def test_repo_definitions_load_without_sqlglot_at_import():
    code = "import sys, streamduck.ksql; assert 'sqlglot' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
    names = {d.name: d for d in load_sources(REPO / "sql" / "streams")}
    assert set(names) >= {"FAKE_PEOPLE", "MY_STREAM"}
    people = names["FAKE_PEOPLE"]
    assert (people.partitions, people.replicas, [c.name for c in people.key_columns]) == (3, 1, ["ID"])
    assert dict((c.name, c.type) for c in people.columns)["ADDRESS"] == (
        "STRUCT<STREET STRING, CITY STRING, POSTCODE STRING, COUNTRY STRING>"
    )


def test_keys_headers_quoting_and_properties():
    d = source(
        "CREATE OR REPLACE TABLE IF NOT EXISTS `Orders` (`id` BIGINT PRIMARY KEY, total DECIMAL(10,2), "
        "h ARRAY<STRUCT<key STRING, value BYTES>> HEADERS, ts BIGINT) WITH (KAFKA_TOPIC='o', FORMAT='JSON', "
        "PARTITIONS=6, REPLICAS=1, TIMESTAMP='ts');"
    )
    assert d.name == "Orders" and d.kind == "TABLE"
    assert [(c.name, c.role) for c in d.columns] == [
        ("id", "primary_key"),
        ("TOTAL", "value"),
        ("H", "headers"),
        ("TS", "value"),
    ]
    assert (d.key_format, d.partitions, d.timestamp) == ("JSON", 6, "TS")


@pytest.mark.parametrize(
    ("ksql", "duck"),
    [
        ("INT", "INTEGER"),
        ("INTEGER", "INTEGER"),
        ("BIGINT", "BIGINT"),
        ("DOUBLE", "DOUBLE"),
        ("DECIMAL(10, 2)", "DECIMAL(10, 2)"),
        ("STRING", "VARCHAR"),
        ("VARCHAR", "VARCHAR"),
        ("BOOLEAN", "BOOLEAN"),
        ("DATE", "DATE"),
        ("TIME", "TIME"),
        ("TIMESTAMP", "TIMESTAMP"),
        ("BYTES", "BLOB"),
        ("ARRAY<STRING>", "VARCHAR[]"),
        ("MAP<STRING, INT>", "MAP(VARCHAR, INTEGER)"),
        ("STRUCT<a INT, `b` ARRAY<DOUBLE>>", 'STRUCT("A" INTEGER, "b" DOUBLE[])'),
    ],
)
def test_duckdb_types(ksql, duck):
    assert duckdb_type(ksql) == duck


@pytest.mark.parametrize("bad", ["FLOAT", "SMALLINT", "DECIMAL(50, 2)", "NOTATYPE<"])
def test_unsupported_types(bad):
    with pytest.raises(UnsupportedType):
        duckdb_type(bad)


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("CREATE STREAM s (x INT) WITH (value_format='JSON');", 'Missing required property "KAFKA_TOPIC"'),
        (
            "CREATE STREAM s (x INT) WITH (kafka_topic='t', value_format='AVRO');",
            "VALUE_FORMAT 'AVRO' is not supported",
        ),
        (
            "CREATE STREAM s (x INT) WITH (kafka_topic='t');",
            "Statement is missing the 'VALUE_FORMAT' property",
        ),
        (
            "CREATE STREAM s (k INT PRIMARY KEY, x INT) WITH (kafka_topic='t', value_format='JSON');",
            "please use 'KEY' for streams",
        ),
        (
            "CREATE TABLE s (x INT) WITH (kafka_topic='t', value_format='JSON');",
            "Tables require a PRIMARY KEY",
        ),
        (
            "CREATE STREAM s (rowtime BIGINT) WITH (kafka_topic='t', value_format='JSON');",
            "'ROWTIME' is a reserved column name",
        ),
        (
            "CREATE STREAM s (x INT, X INT) WITH (kafka_topic='t', value_format='JSON');",
            "duplicate column name 'X'",
        ),
        (
            "CREATE STREAM s (x INT) WITH (kafka_topic='t', value_format='JSON', colour='red');",
            r"Invalid config variable\(s\) in the WITH clause: COLOUR",
        ),
        ("CREATE STREAM s (x FLOAT) WITH (kafka_topic='t', value_format='JSON');", "column 'X'"),
        (
            "CREATE STREAM s (x INT) WITH (kafka_topic='t', value_format='JSON', partitions=0);",
            "PARTITIONS must be a positive",
        ),
        (
            "CREATE STREAM s (x INT) WITH (kafka_topic='t', value_format='JSON', timestamp='nope');",
            "TIMESTAMP column",
        ),
    ],
)
def test_definition_errors_name_file_line_and_construct(statement, message):
    with pytest.raises(DefinitionError, match=message) as info:
        source("\n" + statement)
    assert str(info.value).startswith("s.sql:2: CREATE ")


def test_syntax_error_names_line():
    with pytest.raises(DefinitionError, match=r"f.sql:3: syntax error"):
        parse_text("SHOW STREAMS;\n\nCREATE STREAM s (x INT WITH (kafka_topic='t');", Path("f.sql"))


def test_duplicate_definitions_across_files(tmp_path):
    for name in ("a.sql", "b.sql"):
        (tmp_path / name).write_text("CREATE STREAM s (x INT) WITH (kafka_topic='t', value_format='JSON');")
    with pytest.raises(DefinitionError, match="b.sql:1: CREATE STREAM S: already defined at .*a.sql:1"):
        load_sources(tmp_path)


def test_other_statements_parse():
    nodes = [
        s.expression
        for s in parse_text(
            "DROP STREAM IF EXISTS s DELETE TOPIC; SHOW TABLES; LIST TOPICS; DESCRIBE s EXTENDED; "
            "INSERT INTO s SELECT * FROM t; CREATE STREAM d WITH (kafka_topic='d') AS SELECT * FROM s "
            "PARTITION BY x EMIT CHANGES;"
        )
    ]
    assert [type(n) for n in nodes] == [KsqlDrop, KsqlShow, KsqlShow, KsqlDescribe, KsqlInsert, KsqlCreate]
    assert nodes[0].args["delete_topic"] and nodes[0].args["exists"]
    assert nodes[-1].args["query"].args["emit"].this == "CHANGES"
