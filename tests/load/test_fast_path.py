"""The fast classification path never disagrees with the full one, on records built to confuse it."""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections import namedtuple

import duckdb
import pytest

from streamduck.ksql.parser import parse_text
from streamduck.ksql.sources import definition_from
from streamduck.load.batch import BatchBuilder, BatchLimits
from streamduck.load.classify import _classify_query, _fast_query, stage
from streamduck.load.read_ahead import adoptable
from streamduck.warehouse.layout import landing_select

Record = namedtuple("Record", "offset timestamp key headers value serialized_value_size")

SCALARS = """id STRING KEY, name STRING, `firstName` STRING, age INT, big BIGINT, score DOUBLE,
  price DECIMAL(6, 2), ok BOOLEAN, born DATE, seen TIMESTAMP, at TIME, address STRUCT<street STRING, zip INT>"""
# Every type the fast path decides, and then also those it always leaves to the full path.
DEFINITIONS = {
    "fast types": f"CREATE STREAM s ({SCALARS}) WITH (kafka_topic='t', value_format='JSON');",
    "nested": f"""CREATE STREAM s ({SCALARS}, geo STRUCT<lat DOUBLE, `Inner` STRUCT<a INT>, marks ARRAY<INT>>)
        WITH (kafka_topic='t', value_format='JSON');""",
    "all types": f"""CREATE STREAM s ({SCALARS}, raw BYTES, tags ARRAY<INT>, attrs MAP<STRING, INT>,
        geo STRUCT<lat DOUBLE, `Inner` STRUCT<a INT>, marks ARRAY<INT>>)
        WITH (kafka_topic='t', value_format='JSON');""",
}

GOOD = {
    "name": "Ann", "firstName": "A", "age": 41, "big": 9007199254740993, "score": 1.5, "price": 12.25,
    "ok": True, "born": "1990-01-01", "seen": "2026-01-01T00:00:03Z", "at": "12:30:00", "raw": "aGk=",
    "tags": [1, 2], "attrs": {"a": 1}, "address": {"street": "Main", "zip": 12345},
    "geo": {"lat": 1.5, "inner": {"a": 1}, "marks": [1]},
}  # fmt: skip

# Per field, values that are valid, invalid, or only valid by a rule the fast path leaves to the
# full path (numbers as strings, dates as epoch numbers, escapes, another spelling of the name).
VARIANTS = {
    "name": ["x", 7, True, None, {"a": 1}, [1], "", 'say "hi"', "ünï\u2028"],
    "age": [1, -3, 1.5, "7", "seven", 3_000_000_000, None, True, [1], {"a": 1}],
    "big": [2**63 - 1, 2**64, "12", -1e3],
    "score": [0, -0.5, 1e308, "1.5", "nan", False],
    "price": [1.234, 9999.99, 123456.0, "3.10", "x"],
    "ok": [False, "true", "FALSE", "yes", 1, None],
    "born": ["2020-02-29", "2021-02-29", 7305, "7305", "2020-02-\\u0032\\u0039", "", "2020-01-01T00:00:00"],
    "seen": ["2026-01-01 10:00:00", 1767225600000, "yesterday", "2026-01-01T10:00:00.123456+02:00",
             "2026-01-01T10:00:00z", "2026-01-01T10:00:00.5Z", "2026-01-01T10:00:00+02:00Z", "2026-01-01 10:00Z"],
    "at": ["23:59:59", 45_000_000, "25:00:00"],
    "raw": ["aGk=", "not base64!", 12],
    "tags": [[], [1, "2"], ["x"], "1,2", {"a": 1}],
    "attrs": [{}, {"a": "2"}, {"a": "x"}, [1]],
    "address": [{}, {"street": 1}, {"STREET": "a", "street": "b"}, {"STREET": "a"}, {"Street": "a"}, {"zip": "x"},
                {"zip": 1.5, "street": ["x"]}, "Main", [1], None],
    "geo": [{"Inner": {"a": 2}, "inner": {"a": 3}}, {"INNER": {"A": "4"}}, {"inner": 5, "marks": "x"}, {}, 1],
    "firstName": ["B", None, {"x": 1}],
}  # fmt: skip


def _definition(kind: str = "fast types"):
    (statement,) = parse_text(DEFINITIONS[kind])
    return definition_from(statement)


def _corpus() -> list[bytes]:
    values = [json.dumps(GOOD).encode()]
    for field, variants in VARIANTS.items():
        for variant in variants:
            values.append(json.dumps({**GOOD, field: variant}).encode())
        values.append(json.dumps({k: v for k, v in GOOD.items() if k != field}).encode())  # missing
    renamed = [
        ("name", "NAME"),
        ("name", "Name"),
        ("age", "AGE"),
        ("firstName", "FIRSTNAME"),
        ("firstName", "firstname"),
    ]
    for field, spelling in renamed:  # another spelling alone, and next to the exact one
        values.append(
            json.dumps({**{k: v for k, v in GOOD.items() if k != field}, spelling: GOOD[field]}).encode()
        )
        values.append(json.dumps({**GOOD, spelling: "other"}).encode())
        values.append(
            json.dumps({**{k: v for k, v in GOOD.items() if k != field}, spelling: {"bad": 1}}).encode()
        )
        values.append(
            json.dumps({**{k: v for k, v in GOOD.items() if k != field}, field: None, spelling: [5]}).encode()
        )
    for a, b in itertools.combinations(["age", "born", "name"], 2):  # two fields off at once
        values.append(json.dumps({**GOOD, a: None, b: "bad"}).encode())
    values += [
        b"{}", b"  " + json.dumps(GOOD).encode(), json.dumps({**GOOD, "born": "@"}).encode().replace(b'"@"', b'"2020-02-\\u0032\\u0039"'), b'{"name": "a", "name": {"x": 1}}', b'{"age": 1, "age": "x"}',
        b"[1]", b"42", b'"text"', b"null", b"{nope", b"\xff", b"", b'{"name": "\\ud800"}',
        json.dumps({**GOOD, "extra": 1, "Extra": 2}).encode(),
        # Not JSON by RFC 8259 though DuckDB reads them; NaN inside a string is fine.
        json.dumps({**GOOD, "score": float("nan")}).encode(), json.dumps({**GOOD, "age": float("-inf")}).encode(),
        json.dumps({**GOOD, "tags": [1, float("inf")]}).encode(), json.dumps({**GOOD, "name": "NaN, Infinity"}).encode(),
        # A repeated key: ksqlDB reads the last value.
        json.dumps(GOOD).encode()[:-1] + b', "age": "x"}', json.dumps(GOOD).encode()[:-1] + b', "age": 7}',
        json.dumps({**GOOD, "age": 660.75}).encode(), json.dumps({**GOOD, "age": "660.75"}).encode(),
        json.dumps({**GOOD, "seen": "2026-11-26T08:05:00+02:00"}).encode(),
        # A STRUCT field named twice: both paths read the first (only top-level keys are rewritten).
        json.dumps({**GOOD, "address": "@"}).encode().replace(b'"@"', b'{"street": "a", "street": "b", "zip": 1}'),
    ]  # fmt: skip
    return values


def _batch(con, definition, values) -> None:
    builder = BatchBuilder(definition, BatchLimits(records=10**6))
    builder.add(0, [Record(i, 0, b"k", [], v, len(v)) for i, v in enumerate(values)])
    con.register("batch", builder.take().to_arrow())


def _classify(definition, values, full_only: bool) -> list[tuple]:
    con = duckdb.connect()
    _batch(con, definition, values)
    if full_only:
        con.execute(f"CREATE TEMP TABLE _streamduck_staged AS {_classify_query(definition, 'batch', 400)}")
    else:
        stage(con, definition, "batch", 400)
    rows = con.execute(  # with the typed values (t_0, t_1, ...) the warehouse stores
        "SELECT \"offset\", reason, detail, text, keys, COLUMNS('^t_[0-9]+$') "
        'FROM _streamduck_staged ORDER BY "offset"'
    ).fetchall()
    return [tuple("NaN" if v != v else v for v in row) for row in rows]  # NaN equals NaN here


def _fast_count(definition, values) -> int:
    """How many of ``values`` the fast test alone accepts."""
    con = duckdb.connect()
    _batch(con, definition, values)
    (count,) = con.execute(
        f"SELECT count(*) FROM ({_fast_query(definition, 'batch', 400)}) WHERE reason IS NULL"
    ).fetchone()
    return count


@pytest.mark.parametrize("kind", DEFINITIONS)
def test_fast_path_agrees_with_full_classification(kind):
    definition = _definition(kind)
    values = _corpus()
    fast, full = _classify(definition, values, False), _classify(definition, values, True)
    assert len(fast) == len(values)
    for got, want in zip(fast, full, strict=True):
        assert got == want, values[got[0]]
    reasons = {row[1] for row in full}  # the corpus reaches every outcome the full path can give
    assert {None, "wrong_field_type", "not_json", "wrong_root_type", "invalid_utf8"} <= reasons
    accepted = sum(1 for row in full if row[1] is None)
    if kind != "all types":  # most valid records were decided by the fast test alone
        assert _fast_count(definition, values) > accepted / 2


@pytest.mark.parametrize("kind", DEFINITIONS)
def test_retyping_from_the_kept_bytes_gives_the_loaded_values(kind):
    """A definition change re-types history from the text: it must agree with what the load stored."""
    definition = _definition(kind)
    con = duckdb.connect()
    _batch(con, definition, _corpus())
    stage(con, definition, "batch", 400)
    loaded = f"({landing_select(definition, '(SELECT * FROM _streamduck_staged WHERE reason IS NULL)')})"
    retyped = f"({landing_select(definition, '(SELECT * FROM _streamduck_staged WHERE reason IS NULL)', from_text=True)})"
    (rows,) = con.execute(f"SELECT count(*) FROM {loaded}").fetchone()
    assert rows > 10
    differ = con.execute(f"SELECT * FROM {loaded} EXCEPT ALL SELECT * FROM {retyped}").fetchall()
    assert differ == []


@pytest.mark.parametrize(
    ("stored", "assigned", "expected"),
    [
        ({"S": {0: 5}}, {("t", 0), ("t", 1)}, {"S": {0: 20, 1: 9}}),  # adopted: positions after the batches
        ({"S": {0: 6}}, {("t", 0), ("t", 1)}, None),  # someone committed during the join
        ({"S": {0: 5}}, {("t", 0)}, None),  # partition 1 went to another member
    ],
)
def test_read_ahead_is_adopted_only_when_still_valid(stored, assigned, expected):
    definition = dataclasses.replace(_definition(), name="S", topic="t")
    builder = BatchBuilder(definition, BatchLimits(records=10**6), positions={0: 5})
    value = json.dumps(GOOD).encode()
    builder.add(0, [Record(o, 0, b"k", [], value, len(value)) for o in range(5, 12)])
    first = builder.take()
    builder.add(0, [Record(o, 0, b"k", [], value, len(value)) for o in range(12, 20)])
    builder.add(1, [Record(o, 0, b"k", [], value, len(value)) for o in range(0, 9)])
    second = builder.take()
    assert adoptable([first, second], {"S": {0: 5}}, stored, assigned) == expected
    assert adoptable([], {"S": {0: 5}}, {"S": {0: 5}}, assigned) is None
