"""Fixtures for the ksql tests: a real DuckDB warehouse with sources laid out by the loader's layout."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from streamduck.ksql import catalog
from streamduck.ksql.compile import CompiledQuery, compile_select
from streamduck.ksql.execute import Outcome, execute
from streamduck.ksql.parser import parse_text


class Warehouse:
    """A DuckDB file: apply statements, land raw records, run ksqlDB queries."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.con = duckdb.connect(str(path))

    def apply(self, text: str) -> list[Outcome]:
        """Apply statements in one transaction; INSERT ... VALUES outcomes carry their record."""
        from streamduck.warehouse.layout import ensure_internal

        ensure_internal(self.con)
        self.con.execute("BEGIN TRANSACTION")
        try:
            outcomes = [execute(self.con, statement) for statement in parse_text(text, Path("test.sql"))]
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return outcomes

    def land(self, name: str, records: Iterable[dict[str, Any] | tuple[Any, ...]]) -> None:
        """Land records of source NAME: dicts are values; tuples are (key, value, ts, partition)."""
        from tests.landing import land

        rows = []
        for offset, record in enumerate(records):
            key, value, ts, partition = (
                record if isinstance(record, tuple) else (None, record, 1000 * offset, 0)
            )
            value_text = None if value is None else json.dumps(value)
            key_bytes = None if key is None else str(key).encode()
            rows.append((partition, offset, ts, key_bytes, [], value_text))
        land(self.con, name, rows)

    def compile(self, ksql: str) -> CompiledQuery:
        entries = catalog.entries(self.con)
        kinds = {e.name: e.kind for e in entries}
        return compile_select(
            ksql, catalog.relation_schema(self.con), kinds, keys={e.name: e.key_columns for e in entries}
        )

    def query(self, ksql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(self.compile(ksql).sql).fetchall()

    def select_star(self, name: str) -> list[dict[str, Any]]:
        """``SELECT * FROM name`` as ``streamduck sql`` runs it."""
        from streamduck.ksql.query import query_connection

        return query_connection(self.con, f"SELECT * FROM {name}", str(self.path)).rows

    def columns(self, ksql: str) -> list[str]:
        return [d[0] for d in self.con.execute(self.compile(ksql).sql).description]


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    wh = Warehouse(tmp_path / "warehouse.duckdb")
    yield wh
    wh.con.close()


@pytest.fixture
def people(warehouse: Warehouse) -> Warehouse:
    """Stream PEOPLE with five landed records."""
    warehouse.apply(
        """CREATE STREAM people (id STRING KEY, name STRING, age INT, score DOUBLE, price DECIMAL(10, 2),
             address STRUCT<street STRING, city STRING>, tags ARRAY<STRING>, attrs MAP<STRING, INT>,
             born DATE) WITH (kafka_topic='people', value_format='JSON');"""
    )
    warehouse.land(
        "PEOPLE",
        [
            (
                "a",
                {
                    "name": "Ann",
                    "age": 30,
                    "score": 2.5,
                    "price": "10.25",
                    "address": {"street": "1 Rue", "city": "Paris"},
                    "tags": ["x", "y", "z"],
                    "attrs": {"k": 1},
                    "born": "1990-01-02",
                },
                1_000,
                0,
            ),
            (
                "b",
                {
                    "name": "Bob",
                    "age": 41,
                    "score": 3.7,
                    "price": "0.10",
                    "address": {"street": "2 Av", "city": "Lyon"},
                    "tags": ["y"],
                    "attrs": {},
                    "born": "1980-05-06",
                },
                2_000,
                1,
            ),
            (
                "a",
                {
                    "name": "Ann B",
                    "age": 31,
                    "score": -7.5,
                    "price": None,
                    "address": None,
                    "tags": None,
                    "attrs": None,
                    "born": None,
                },
                61_000,
                0,
            ),
            (
                "c",
                {
                    "name": None,
                    "age": 7,
                    "score": 0.0,
                    "price": "3.00",
                    "address": {"street": "x", "city": "Nice"},
                    "tags": [],
                    "attrs": {"q": 2},
                    "born": "2019-12-31",
                },
                125_000,
                1,
            ),
            (
                "b",
                {
                    "name": "Bob",
                    "age": 42,
                    "score": 1.0,
                    "price": "1.00",
                    "address": {"street": "2 Av", "city": "Lyon"},
                    "tags": ["a", "b"],
                    "attrs": {"k": 5},
                    "born": "1980-05-06",
                },
                130_000,
                1,
            ),
        ],
    )
    return warehouse


QueryFn = Callable[[str], list[tuple[Any, ...]]]
