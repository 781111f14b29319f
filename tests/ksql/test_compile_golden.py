"""Golden tests: ksqlDB statement -> rows, over a real DuckDB file laid out like the loader's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from streamduck.errors import DefinitionError


def test_star_is_declared_columns_without_pseudo_columns(people):
    assert people.columns("SELECT * FROM people") == [
        "ID",
        "NAME",
        "AGE",
        "SCORE",
        "PRICE",
        "ADDRESS",
        "TAGS",
        "ATTRS",
        "BORN",
    ]


def test_projection_where_and_types(people):
    rows = people.query("SELECT id, name, price, born FROM people WHERE age > 30 AND name IS NOT NULL")
    assert rows == [
        ("b", "Bob", Decimal("0.10"), dt.date(1980, 5, 6)),
        ("a", "Ann B", None, None),
        ("b", "Bob", Decimal("1.00"), dt.date(1980, 5, 6)),
    ]


def test_output_names_follow_ksqldb(people):
    cols = people.columns("SELECT id, address->city, age + 1, name AS who, UCASE(name) FROM people")
    assert cols == ["ID", "CITY", "KSQL_COL_0", "WHO", "KSQL_COL_1"]


def test_struct_access_and_one_based_arrays(people):
    rows = people.query(
        "SELECT address->city, tags[1], tags[-1], tags[5], attrs['k'] FROM people WHERE id = 'a'"
    )
    assert rows == [("Paris", "x", "z", None, 1), (None, None, None, None, None)]


def test_integer_division_truncates_like_java(people):
    rows = people.query("SELECT age / 2, -7 / 2, age / 0, score / 2 FROM people WHERE id = 'b'")
    assert rows == [(20, -3, None, 1.85), (21, -3, None, 0.5)]


def test_cast_truncates_and_bad_cast_is_null(people):
    rows = people.query(
        "SELECT CAST(score AS INT), CAST(name AS INT), CAST(age AS STRING) FROM people WHERE id = 'a'"
    )
    assert rows == [(2, None, "30"), (-7, None, "31")]


def test_string_plus_concatenates_and_null_propagates(people):
    rows = people.query("SELECT name + '!' FROM people WHERE id = 'c' OR id = 'a'")
    assert rows == [("Ann!",), ("Ann B!",), (None,)]


def test_case_and_null_functions(people):
    rows = people.query(
        "SELECT CASE WHEN age < 18 THEN 'minor' ELSE 'adult' END, COALESCE(name, 'unknown'), IFNULL(price, 0) "
        "FROM people WHERE id = 'c'"
    )
    assert rows == [("minor", "unknown", Decimal("3.00"))]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("LEN('hello')", 5),
        ("UCASE('abc')", "ABC"),
        ("LCASE('ABC')", "abc"),
        ("TRIM('  x ')", "x"),
        ("SUBSTRING('hello', 2, 3)", "ell"),
        ("SUBSTRING('hello', -3)", "llo"),
        ("CONCAT('a', 'b')", "ab"),
        ("CONCAT('a', '-', 'b', 'c')", "a-bc"),
        ("REPLACE('aXbX', 'X', '-')", "a-b-"),
        ("INSTR('hello', 'l')", 3),
        ("LPAD('7', 3, '0')", "007"),
        ("INITCAP('hello big world')", "Hello Big World"),
        ("SPLIT('a,b,c', ',')", ["a", "b", "c"]),
        ("REGEXP_EXTRACT('[0-9]+', 'abc123')", "123"),
        ("REGEXP_REPLACE('a1b2', '[0-9]', '#')", "a#b#"),
        ("ABS(-3)", 3),
        ("CEIL(1.2)", 2),
        ("FLOOR(1.8)", 1),
        ("ROUND(2.5)", 3),
        ("SQRT(16.0)", 4.0),
        ("GREATEST(1, 5, 3)", 5),
        ("NULLIF(1, 1)", None),
        ("ARRAY_LENGTH(ARRAY[1, 2, 3])", 3),
        ("ARRAY_CONTAINS(ARRAY[1, 2], 2)", True),
        ("ARRAY_DISTINCT(ARRAY[2, 1, 2, 3])", [2, 1, 3]),
        ("ARRAY_UNION(ARRAY[3, 1], ARRAY[1, 2])", [3, 1, 2]),
        ("ARRAY_EXCEPT(ARRAY[3, 1, 3], ARRAY[1])", [3]),
        ("ARRAY_MAX(ARRAY[1, 9, 2])", 9),
        ("ARRAY_JOIN(ARRAY['a', 'b'], '-')", "a-b"),
        ("SLICE(ARRAY[1, 2, 3, 4], 2, 3)", [2, 3]),
        ("TRANSFORM(ARRAY[1, 2], x => x * 10)", [10, 20]),
        ("FILTER(ARRAY[1, 2, 3], x => x > 1)", [2, 3]),
        ("REDUCE(ARRAY[1, 2, 3], 10, (s, x) => s + x)", 16),
        ("MAP_KEYS(MAP('a' := 1))", ["a"]),
        ("TRANSFORM(MAP('a' := 1, 'b' := 2), (k, v) => UCASE(k), (k, v) => v * 10)", {"A": 10, "B": 20}),
        ("FILTER(MAP('a' := 1, 'b' := 2), (k, v) => v > 1)", {"b": 2}),
        ("REDUCE(MAP('a' := 1, 'b' := 2), 100, (s, k, v) => s + v)", 103),
        ("STRUCT(a := 1)->a", 1),
        ("EXTRACTJSONFIELD('{\"a\": {\"b\": 7}}', '$.a.b')", "7"),
        ("IS_JSON_STRING('{\"a\": 1}')", True),
        ("JSON_ARRAY_LENGTH('[1, 2]')", 2),
        ("TIMESTAMPTOSTRING(1577836800123, 'yyyy-MM-dd HH:mm:ss.SSS')", "2020-01-01 00:00:00.123"),
        ("STRINGTOTIMESTAMP('2020-01-01 00:00:01', 'yyyy-MM-dd HH:mm:ss')", 1577836801000),
        ("PARSE_DATE('2020-02-03', 'yyyy-MM-dd')", dt.date(2020, 2, 3)),
        ("FORMAT_DATE(CAST('2020-02-03' AS DATE), 'dd/MM/yyyy')", "03/02/2020"),
        ("UNIX_DATE(CAST('1970-01-11' AS DATE))", 10),
        ("FROM_UNIXTIME(0)", dt.datetime(1970, 1, 1)),
    ],
)
def test_scalar_functions(people, expression, expected):
    rows = people.query(f"SELECT {expression} FROM people WHERE id = 'c'")
    assert rows == [(expected,)]


def test_group_by_aggregates(people):
    rows = people.query(
        "SELECT id, COUNT(*), SUM(age), AVG(age), MIN(age), MAX(age), LATEST_BY_OFFSET(name), "
        "EARLIEST_BY_OFFSET(name), COLLECT_LIST(age), COLLECT_SET(name), TOPK(age, 1), HISTOGRAM(name) "
        "FROM people GROUP BY id"
    )
    by_id = {r[0]: r[1:] for r in rows}
    assert by_id["a"][:8] == (2, 61, 30.5, 30, 31, "Ann B", "Ann", [30, 31])
    assert sorted(by_id["a"][8]) == ["Ann", "Ann B"]  # COLLECT_SET: a set, in no particular order
    assert by_id["a"][9] == [31]
    assert by_id["a"][10] == {"Ann": 1, "Ann B": 1} and by_id["b"][10] == {"Bob": 2}
    assert by_id["b"][:8] == (2, 83, 41.5, 41, 42, "Bob", "Bob", [41, 42])
    assert by_id["c"][5:7] == (None, None)  # LATEST/EARLIEST ignore nulls


def test_having(people):
    rows = people.query("SELECT id, COUNT(*) AS n FROM people GROUP BY id HAVING COUNT(*) > 1")
    assert sorted(rows) == [("a", 2), ("b", 2)]


def test_tumbling_window(people):
    rows = people.query(
        "SELECT id, WINDOWSTART, WINDOWEND, COUNT(*) FROM people WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY id"
    )
    assert sorted(rows) == [
        ("a", 0, 60_000, 1),
        ("a", 60_000, 120_000, 1),
        ("b", 0, 60_000, 1),
        ("b", 120_000, 180_000, 1),
        ("c", 120_000, 180_000, 1),
    ]


def test_hopping_window(people):
    rows = people.query(
        "SELECT id, WINDOWSTART, COUNT(*) FROM people WINDOW HOPPING (SIZE 2 MINUTES, ADVANCE BY 1 MINUTE) "
        "WHERE id = 'a' GROUP BY id"
    )
    # WINDOWEND is added: the window is part of a windowed table's key
    assert sorted(rows) == [("a", 0, 2, 120_000), ("a", 60_000, 1, 180_000)]


def test_session_window(people):
    rows = people.query(
        "SELECT id, WINDOWSTART, WINDOWEND, COUNT(*) FROM people WINDOW SESSION (10 SECONDS) GROUP BY id"
    )
    assert sorted(rows) == [
        ("a", 1_000, 1_000, 1),
        ("a", 61_000, 61_000, 1),
        ("b", 2_000, 2_000, 1),
        ("b", 130_000, 130_000, 1),
        ("c", 125_000, 125_000, 1),
    ]
    wide = people.query("SELECT id, COUNT(*) FROM people WINDOW SESSION (3 MINUTES) GROUP BY id")
    assert sorted(wide) == [("a", 2, 1_000, 61_000), ("b", 2, 2_000, 130_000), ("c", 1, 125_000, 125_000)]


def test_pseudo_columns(people):
    rows = people.query("SELECT id, ROWTIME, ROWPARTITION, ROWOFFSET FROM people WHERE id = 'c'")
    assert rows == [("c", 125_000, 1, 3)]


def test_stream_stream_join_within(people):
    people.apply(
        "CREATE STREAM visits (person STRING, page STRING) WITH (kafka_topic='visits', value_format='JSON');"
    )
    people.land(
        "VISITS",
        [
            (None, {"person": "a", "page": "/home"}, 1_500, 0),
            (None, {"person": "a", "page": "/late"}, 500_000, 0),
        ],
    )
    rows = people.query(
        "SELECT p.id, p.name, v.page FROM people p JOIN visits v WITHIN 10 SECONDS ON p.id = v.person"
    )
    assert rows == [("a", "Ann", "/home")]


def test_stream_table_join(people):
    people.apply(
        "CREATE TABLE cities (city STRING PRIMARY KEY, country STRING) WITH (kafka_topic='cities', value_format='JSON');"
    )
    people.land(
        "CITIES",
        [
            ("Paris", {"country": "FR"}, 0, 0),
            ("Lyon", {"country": "FR?"}, 1, 0),
            ("Lyon", {"country": "FR"}, 2, 0),
        ],
    )
    rows = people.query(
        "SELECT p.id, c.country FROM people p LEFT JOIN cities c ON p.address->city = c.city WHERE p.age > 20"
    )
    assert sorted(rows, key=str) == [("a", "FR"), ("a", None), ("b", "FR"), ("b", "FR")]


def test_csas_and_ctas_become_views(people):
    people.apply(
        """CREATE STREAM adults AS SELECT id, name, age FROM people WHERE age >= 18 EMIT CHANGES;
           CREATE TABLE per_person AS SELECT id, COUNT(*) AS n FROM adults GROUP BY id EMIT CHANGES;"""
    )
    assert people.con.execute('SELECT ID, NAME FROM "ADULTS" ORDER BY ROWTIME').fetchall() == [
        ("a", "Ann"),
        ("b", "Bob"),
        ("a", "Ann B"),
        ("b", "Bob"),
    ]
    assert sorted(people.con.execute('SELECT * FROM "PER_PERSON"').fetchall()) == [("a", 2), ("b", 2)]


def test_table_source_is_latest_row_per_key(warehouse):
    warehouse.apply(
        "CREATE TABLE users (id STRING PRIMARY KEY, v INT) WITH (kafka_topic='u', value_format='JSON');"
    )
    warehouse.land(
        "USERS", [("k", {"v": 1}, 0, 0), ("k", {"v": 2}, 1, 0), ("j", {"v": 3}, 2, 0), ("j", None, 3, 0)]
    )
    assert warehouse.query("SELECT * FROM users") == [("k", 2)]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT nope FROM people", "SELECT column 'NOPE' cannot be resolved"),
        ("SELECT FOO(id) FROM people", "Can't find any functions with the name 'FOO'"),
        (
            "SELECT COUNT(*) FROM people",
            r"does not support aggregate function \[COUNT\(ROWTIME\)\] without a GROUP BY clause",
        ),
        ("SELECT id FROM people WHERE COUNT(*) > 1 GROUP BY id", "not allowed in WHERE"),
        ("SELECT id FROM missing", "Source `MISSING` does not exist."),
        ("SELECT id FROM people ORDER BY id", "ORDER BY is not supported"),
        ("SELECT p.id FROM people p JOIN people q ON p.id = q.id", "must have a WITHIN clause"),
        ("SELECT id, COUNT(*) FROM people WINDOW TUMBLING (SIZE 0 SECONDS) GROUP BY id", "must be positive"),
        ("SELECT id FROM people WINDOW TUMBLING (SIZE 1 MINUTE)", "WINDOW clause requires a GROUP BY"),
        ("SELECT CAST(id AS FLOAT) FROM people", "CAST"),
    ],
)
def test_errors_name_the_construct(people, query, message):
    from streamduck.ksql import catalog
    from streamduck.ksql.compile import compile_select

    with pytest.raises(DefinitionError, match=message):
        compile_select(query, catalog.relation_schema(people.con), {"PEOPLE": "STREAM"})


def test_failing_statement_names_file_line_and_construct(people):
    with pytest.raises(DefinitionError, match=r"test.sql:3: CREATE STREAM BAD: .*'NOPE' cannot be resolved"):
        people.apply(
            "CREATE STREAM ok1 AS SELECT id FROM people;\n\nCREATE STREAM bad AS SELECT nope FROM people;"
        )
    assert people.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'OK1'"
    ).fetchone() == (0,)


def test_csas_over_an_aggregate_is_rejected(people):
    with pytest.raises(DefinitionError, match="produces a TABLE. Please use CREATE TABLE AS SELECT"):
        people.apply("CREATE STREAM s AS SELECT id, COUNT(*) FROM people GROUP BY id;")


def test_insert_into_adds_rows_to_a_derived_stream(people):
    script = """CREATE STREAM names AS SELECT id, name FROM people WHERE age > 40;
INSERT INTO names SELECT id, name FROM people WHERE age < 10;"""
    people.apply(script)
    people.apply(script)  # re-applying the same file inserts nothing twice
    assert sorted(people.con.execute('SELECT ID, NAME FROM "NAMES"').fetchall(), key=str) == [
        ("b", "Bob"),
        ("b", "Bob"),
        ("c", None),
    ]
    with pytest.raises(
        DefinitionError,
        match="Incompatible schema between results and sink. Result schema is `ID` STRING KEY Sink",
    ):
        people.apply("INSERT INTO names SELECT id FROM people;")
    with pytest.raises(DefinitionError, match="PEOPLE is a source stream"):
        people.apply("INSERT INTO people SELECT * FROM people;")


def test_insert_of_the_csas_query_itself_adds_the_rows_again(people):
    script = """CREATE STREAM copy AS SELECT * FROM people;
INSERT INTO copy SELECT * FROM people;"""
    people.apply(script)
    people.apply(script)  # and re-applying the file still adds them once
    assert people.con.execute('SELECT count(*) FROM "COPY"').fetchone() == (10,)


def test_outer_joins_distinct_from_and_explode(people):
    people.apply("CREATE STREAM other (person STRING) WITH (kafka_topic='o', value_format='JSON');")
    people.land("OTHER", [(None, {"person": "zz"}, 1_000, 0)])
    left = people.query(
        "SELECT p.id, o.person FROM people p LEFT OUTER JOIN other o WITHIN 1 HOUR ON p.id = o.person"
    )
    assert len(left) == 5 and all(person is None for _, person in left)
    full = people.query(
        "SELECT p.id, o.person FROM people p FULL OUTER JOIN other o WITHIN 1 HOUR ON p.id = o.person"
    )
    assert (None, "zz") in full and len(full) == 6
    assert people.query("SELECT id FROM people WHERE name IS DISTINCT FROM 'Bob' AND id <> 'a'") == [("c",)]
    assert people.query("SELECT id, EXPLODE(tags) FROM people WHERE id = 'a'") == [
        ("a", "x"),
        ("a", "y"),
        ("a", "z"),
    ]


def test_hostile_names_are_quoted(warehouse):
    warehouse.apply(
        "CREATE STREAM `we\"ird; DROP TABLE x; --` (`col\"1` STRING) WITH (kafka_topic='t', value_format='JSON');"
    )
    warehouse.land('we"ird; DROP TABLE x; --', [{'col"1': "v"}])
    assert warehouse.query('SELECT `col"1` FROM `we"ird; DROP TABLE x; --`') == [("v",)]


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            "CREATE STREAM e AS SELECT name + 1 FROM people;",
            r"Unsupported arithmetic types. NAME \(STRING\) ADD 1",
        ),
        (
            "CREATE STREAM e AS SELECT id FROM people WHERE age = 'x';",
            r"Cannot compare AGE \(INTEGER\) to 'x' \(STRING\)",
        ),
        (
            "CREATE STREAM e AS SELECT id FROM people WHERE name;",
            "Type error in WHERE expression: Should evaluate to boolean",
        ),
        (
            "CREATE TABLE e AS SELECT id, name, COUNT(*) FROM people GROUP BY id;",
            "Non-aggregate SELECT expression.* GROUP BY: NAME",
        ),
        (
            "CREATE STREAM e AS SELECT UCASE(age) FROM people;",
            r"Function 'UCASE' does not accept parameters \(INTEGER\)",
        ),
    ],
)
def test_type_errors_are_rejected(people, statement, message):
    with pytest.raises(DefinitionError, match=message):
        people.apply(statement)


def test_emit_final_keeps_closed_windows_only(people):
    final = people.query(
        "SELECT id, WINDOWSTART, COUNT(*) FROM people WINDOW TUMBLING (SIZE 1 MINUTE, GRACE PERIOD 5 SECONDS) "
        "GROUP BY id EMIT FINAL"
    )
    # stream time is 130 s: windows ending at 60 s and 120 s are closed, [120 s, 180 s) is open
    assert sorted(final) == [("a", 0, 1, 60_000), ("a", 60_000, 1, 120_000), ("b", 0, 1, 60_000)]
    with pytest.raises(DefinitionError, match="EMIT FINAL is only supported for windowed aggregations"):
        people.query("SELECT id FROM people EMIT FINAL")


def test_star_over_a_windowed_table_shows_its_window_bounds_after_the_key(people):
    people.apply(
        "CREATE TABLE per_id AS SELECT id, COUNT(*) AS n FROM people WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY id;"
    )
    rows = people.select_star("per_id")
    assert list(rows[0]) == ["ID", "WINDOWSTART", "WINDOWEND", "N"]
    assert sorted((r["ID"], r["WINDOWSTART"], r["WINDOWEND"], r["N"]) for r in rows) == [
        ("a", 0, 60_000, 1),
        ("a", 60_000, 120_000, 1),
        ("b", 0, 60_000, 1),
        ("b", 120_000, 180_000, 1),
        ("c", 120_000, 180_000, 1),
    ]


def test_order_by_keeps_the_columns_of_the_unsorted_query(people):
    from streamduck.ksql.query import query_connection

    plain = query_connection(people.con, "SELECT * FROM people", str(people.path))
    ordered = query_connection(people.con, "SELECT * FROM people ORDER BY age DESC LIMIT 2", str(people.path))
    assert ordered.columns == plain.columns
    assert [r["AGE"] for r in ordered.rows] == [42, 41]
