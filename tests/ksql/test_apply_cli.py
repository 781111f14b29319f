"""Integration: `ksql apply|list|describe` and `sql` through the CLI, against the embedded broker."""

from __future__ import annotations

import json

import duckdb
import pytest

from streamduck.errors import DefinitionError
from streamduck.kafka.admin import create_topic, describe_topic
from streamduck.ksql.apply import apply_path
from tests.landing import land


def write(settings, name: str, text: str):
    path = settings.streams_dir / name
    path.write_text(text)
    return path


def catalog_names(settings) -> list[str]:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return [
            r[0] for r in con.execute("SELECT name FROM _streamduck.definitions ORDER BY name").fetchall()
        ]
    finally:
        con.close()


def test_apply_creates_topic_registers_and_is_idempotent(cli, settings, topic_name):
    write(
        settings,
        "people.sql",
        f"""
CREATE STREAM people (id STRING KEY, name STRING, age INT)
  WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=3, replicas=1);
CREATE STREAM adults AS SELECT id, name FROM people WHERE age >= 18 EMIT CHANGES;
""",
    )
    result = cli("ksql", "apply", "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["action"], r["kind"], r["name"]) for r in rows] == [
        ("created", "STREAM", "PEOPLE"),
        ("created", "STREAM", "ADULTS"),
    ]
    assert f"Created topic {topic_name}." in result.stderr
    assert describe_topic(settings, topic_name).partition_count == 3

    again = cli("ksql", "apply", str(settings.streams_dir), "--format", "jsonl")
    assert [json.loads(line)["action"] for line in again.stdout.splitlines()] == ["unchanged", "unchanged"]

    listed = cli("ksql", "list", "--format", "json")
    assert [(r["name"], r["origin"], r["key"]) for r in json.loads(listed.stdout)] == [
        ("ADULTS", "derived", ""),
        ("PEOPLE", "source", "ID"),
    ]
    described = cli("ksql", "describe", "people")
    assert described.exit_code == 0
    assert (
        "AGE" in described.stdout and "INT" in described.stdout and "CREATE STREAM people" in described.stdout
    )


def test_partition_mismatch_is_reported_not_changed(settings, topic_name):
    create_topic(settings, topic_name, partitions=2)
    path = write(
        settings,
        "s.sql",
        f"CREATE STREAM s (x INT) WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=4);",
    )
    report = apply_path(settings, path)
    assert any("has 2 partitions, S declares 4" in w for w in report.warnings)
    assert describe_topic(settings, topic_name).partition_count == 2


def test_missing_topic_without_partitions_is_an_error(cli, settings, topic_name):
    write(
        settings, "s.sql", f"CREATE STREAM s (x INT) WITH (kafka_topic='{topic_name}', value_format='JSON');"
    )
    result = cli("ksql", "apply")
    assert result.exit_code == 1
    assert f"s.sql:1: CREATE STREAM S: Topic '{topic_name}' does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_failing_statement_leaves_nothing_of_the_file(cli, settings, topic_name):
    write(
        settings,
        "a.sql",
        f"CREATE STREAM first (x INT) WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=1);",
    )
    write(
        settings,
        "b.sql",
        f"""CREATE STREAM second (x INT) WITH (kafka_topic='{topic_name}', value_format='JSON');
CREATE STREAM derived AS SELECT x FROM second;

CREATE STREAM broken AS SELECT nope FROM second;
""",
    )
    result = cli("ksql", "apply")
    assert result.exit_code == 1
    assert "b.sql:4: CREATE STREAM BROKEN: SELECT column 'NOPE' cannot be resolved" in result.stderr
    assert catalog_names(settings) == ["FIRST"]  # a.sql applied; nothing of b.sql
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    views = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    con.close()
    assert views == {"FIRST"}


def test_replace_drop_and_dependents(settings, topic_name):
    base = f"CREATE STREAM s (x INT) WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=1);\n"
    apply_path(settings, write(settings, "s.sql", base + "CREATE STREAM d AS SELECT x FROM s;"))
    with pytest.raises(DefinitionError, match="already exists .*use CREATE OR REPLACE"):
        apply_path(settings, write(settings, "s.sql", base + "CREATE STREAM d AS SELECT x * 2 AS y FROM s;"))
    apply_path(
        settings, write(settings, "s.sql", base + "CREATE OR REPLACE STREAM d AS SELECT x * 2 AS y FROM s;")
    )
    with pytest.raises(
        DefinitionError, match=r"Cannot drop S. The following streams and/or tables read from it: \['D'\]"
    ):
        apply_path(settings, write(settings, "drop.sql", "DROP STREAM s;"))
    report = apply_path(
        settings, write(settings, "drop.sql", "DROP STREAM d; DROP STREAM IF EXISTS nothing;")
    )
    assert [o.action for o in report.outcomes] == ["dropped", "unchanged"]
    assert catalog_names(settings) == ["S"]


@pytest.fixture
def loaded(settings, topic_name):
    """A source with rows landed in its raw table (as the loader lands them)."""
    apply_path(
        settings,
        write(
            settings,
            "t.sql",
            f"""CREATE STREAM t (id STRING KEY, amount DECIMAL(12, 3),
        info STRUCT<tags ARRAY<STRING>, m MAP<STRING, INT>>, at TIMESTAMP)
        WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=1);""",
        ),
    )
    con = duckdb.connect(str(settings.warehouse))
    value = {
        "amount": "12345.678",
        "info": {"tags": ["a", "b"], "m": {"k": 1}},
        "at": "2026-11-23T10:00:00.123",
    }
    land(con, "T", [(0, 0, 1000, b"k1", [], json.dumps(value))])
    con.close()
    return settings


def test_sql_jsonl_is_faithful(cli, loaded):
    result = cli("sql", "SELECT * FROM t", "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    row = json.loads(result.stdout)
    assert row == {
        "ID": "k1",
        "AMOUNT": 12345.678,
        "INFO": {"TAGS": ["a", "b"], "M": {"k": 1}},
        "AT": "2026-11-23T10:00:00.123",
    }


def test_sql_ksql_semantics_and_plain_duckdb(cli, loaded):
    ksql = cli("sql", "SELECT id, info->tags[1] AS first_tag, 7 / 2 AS half FROM t", "--format", "json")
    assert json.loads(ksql.stdout) == [{"ID": "k1", "FIRST_TAG": "a", "HALF": 3}]
    duck = cli("sql", "SELECT count(*) AS n, any_value(ROWOFFSET) AS o FROM t", "--format", "csv")
    assert duck.stdout.splitlines() == ["n,o", "1,0"]
    bad = cli("sql", "SELECT * FROM nowhere")
    assert bad.exit_code == 1 and "query failed" in bad.stderr and "Traceback" not in bad.stderr


def test_show_and_describe_through_sql(cli, loaded, topic_name):
    streams = cli("sql", "SHOW STREAMS;", "--format", "json")
    assert [(r["name"], r["topic"]) for r in json.loads(streams.stdout)] == [("T", topic_name)]
    assert json.loads(cli("sql", "SHOW TABLES", "--format", "json").stdout) == []
    topics = cli("sql", "LIST TOPICS", "--format", "jsonl")
    assert {"topic": topic_name} in [json.loads(line) for line in topics.stdout.splitlines()]
    described = cli("sql", "DESCRIBE t", "--format", "json")
    assert [(r["column"], r["role"]) for r in json.loads(described.stdout)][:2] == [
        ("ID", "key"),
        ("AMOUNT", "value"),
    ]


def test_partition_by_sets_the_key(settings, loaded):
    apply_path(
        settings,
        write(
            settings,
            "p.sql",
            "CREATE STREAM by_amount WITH (key_format='JSON') AS SELECT id, amount FROM t PARTITION BY amount;",
        ),
    )
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    keys = con.execute("SELECT key_columns FROM _streamduck.definitions WHERE name = 'BY_AMOUNT'").fetchone()[
        0
    ]
    con.close()
    assert json.loads(keys) == ["AMOUNT"]


def test_apply_dir_orders_files_by_their_dependencies(cli, settings, topic_name):
    write(
        settings,
        "alice_orders.sql",
        "CREATE STREAM alice_orders AS SELECT * FROM orders WHERE who = 'alice';\n",
    )
    write(
        settings,
        "orders.sql",
        f"CREATE STREAM orders (id STRING KEY, who STRING) WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=1);\n",
    )
    result = cli("ksql", "apply", str(settings.streams_dir), "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["name"] for line in result.stdout.splitlines()] == ["ORDERS", "ALICE_ORDERS"]


def test_describe_names_ksqldb_types_and_window_bounds(cli, settings, topic_name):
    write(
        settings,
        "counts.sql",
        f"""CREATE STREAM clicks (id BIGINT KEY, page STRING, tags ARRAY<STRING>) WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=1);
CREATE TABLE per_page AS SELECT page, COUNT(*) AS n, COLLECT_LIST(tags) AS all_tags FROM clicks WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY page;
CREATE TABLE imported (page STRING PRIMARY KEY, n BIGINT) WITH (kafka_topic='{topic_name}-w', value_format='JSON', partitions=1, window_type='TUMBLING', window_size='1 MINUTE');
""",
    )
    assert cli("ksql", "apply").exit_code == 0
    described = cli("sql", "DESCRIBE per_page", "--format", "json")
    rows = {r["column"]: (r["type"], r["role"]) for r in json.loads(described.stdout)}
    assert rows["PAGE"] == ("STRING", "key")
    assert rows["N"] == ("BIGINT", "value")
    assert rows["ALL_TAGS"] == ("ARRAY<ARRAY<STRING>>", "value")
    assert rows["WINDOWSTART"] == ("BIGINT", "window start") and rows["WINDOWEND"] == ("BIGINT", "window end")
    # A windowed source (WINDOW_TYPE) has the bounds after its key, as its SELECT * has them.
    described = cli("ksql", "describe", "imported", "--format", "json")
    assert [(r["column"], r["role"]) for r in json.loads(described.stdout)] == [
        ("PAGE", "primary_key"),
        ("WINDOWSTART", "window start"),
        ("WINDOWEND", "window end"),
        ("N", "value"),
    ]


def test_insert_values_produces_each_statement_once(cli, settings, tmp_path, topic_name):
    """`ksql apply` produces an INSERT ... VALUES record to the topic (a later load sees it); a file
    inserting the same row twice produces it twice, and re-applying the file produces nothing more."""
    statements = tmp_path / "inserts.sql"
    statements.write_text(
        f"CREATE STREAM pings (id INT KEY, note STRING) WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=1);\n"
        "INSERT INTO pings (ROWTIME, id, note) VALUES (1000, 1, 'hi');\n"
        "INSERT INTO pings (ROWTIME, id, note) VALUES (1000, 1, 'hi');\n"
    )
    first = cli("ksql", "apply", str(statements), "--format", "jsonl")
    assert first.exit_code == 0, first.stderr
    assert [json.loads(line)["action"] for line in first.stdout.splitlines()] == [
        "created",
        "inserted",
        "inserted",
    ]
    again = cli("ksql", "apply", str(statements), "--format", "jsonl")
    assert [json.loads(line)["action"] for line in again.stdout.splitlines()] == ["unchanged"] * 3

    assert cli("load", "--until-caught-up").exit_code == 0
    result = cli("sql", "SELECT id, note, ROWTIME FROM pings", "--format", "jsonl")
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"ID": 1, "NOTE": "hi", "ROWTIME": 1000}
    ] * 2


def test_a_type_alias_serves_later_applies_and_is_stored_expanded(cli, settings, topic_name):
    types = write(settings, "a_types.sql", "CREATE TYPE address AS STRUCT<street STRING, city STRING>;")
    assert apply_path(settings, types).rows()[0] | {"where": ""} == {
        "action": "created", "kind": "TYPE", "name": "ADDRESS", "topic": None, "where": "",
    }  # fmt: skip
    people = write(
        settings,
        "b_people.sql",
        f"CREATE STREAM people (id STRING KEY, home ADDRESS, past ARRAY<ADDRESS>) "
        f"WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=1);",
    )
    apply_path(settings, people)  # a later run: the alias comes from the warehouse
    described = cli("ksql", "describe", "people", "--format", "json")
    assert described.exit_code == 0, described.stderr
    assert "ARRAY<STRUCT<STREET STRING, CITY STRING>>" in described.stdout
    # The catalog holds the expanded statement: what was created does not depend on the alias.
    dropped = write(settings, "c_drop.sql", "DROP TYPE address;")
    assert [r["action"] for r in apply_path(settings, dropped).rows()] == ["dropped"]
    assert "ARRAY<STRUCT<STREET STRING, CITY STRING>>" in cli("ksql", "describe", "people").stdout
    with pytest.raises(DefinitionError, match=r"c_drop.sql:1: .*Type ADDRESS does not exist"):
        apply_path(settings, dropped)
