"""Putting records straight into a warehouse's landing tables, for tests that need rows without a broker."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import duckdb

from streamduck.ksql import catalog
from streamduck.ksql.model import SourceDefinition
from streamduck.ksql.parser import parse_text
from streamduck.ksql.sources import definition_from
from streamduck.warehouse.landing import land_records

RECORD_COLUMNS = 'partition INTEGER, "offset" BIGINT, timestamp_ms BIGINT, "key" BLOB, headers STRUCT("key" VARCHAR, "value" BLOB)[], text VARCHAR'


def source(con: duckdb.DuckDBPyConnection, name: str) -> SourceDefinition:
    """The applied source ``name`` (from the warehouse catalog)."""
    entry = catalog.entry(con, name)
    assert entry is not None and entry.origin == "source", f"{name} is not an applied source"
    return definition_from(parse_text(entry.statement)[0])


def land(
    con: duckdb.DuckDBPyConnection,
    definition: SourceDefinition | str,
    records: Iterable[Sequence[Any]],
) -> int:
    """Land ``(partition, offset, timestamp_ms, key bytes, headers, value text)`` rows as they are."""
    if isinstance(definition, str):
        definition = source(con, definition)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _test_records ({RECORD_COLUMNS})")
    rows = [tuple(r) for r in records]
    if rows:
        con.executemany("INSERT INTO _test_records VALUES (?, ?, ?, ?, ?, ?)", rows)
    try:
        return land_records(con, definition, "temp._test_records")
    finally:
        con.execute("DROP TABLE temp._test_records")
