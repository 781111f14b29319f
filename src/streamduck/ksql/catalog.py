"""The warehouse catalog of applied definitions: ``_streamduck.definitions``.

One row per STREAM or TABLE: its kind, topic, statement text and file, columns (JSON), whether it is
a ``source`` (declared columns over a topic) or ``derived`` (``AS SELECT``, a view over others), the
relations it reads, and the DuckDB SQL of a derived view. The table itself is created by
:mod:`~streamduck.warehouse.schema`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from streamduck.ksql.names import quote_sql
from streamduck.warehouse.connection import one_row

if TYPE_CHECKING:
    import duckdb

__all__ = ["CatalogEntry", "entries", "entry", "relation_schema", "remove", "table_histories", "upsert"]


@dataclass(frozen=True)
class CatalogEntry:
    """One applied STREAM or TABLE."""

    name: str
    kind: str
    topic: str | None
    origin: str
    """``source`` or ``derived``."""
    statement: str
    file: str | None
    line: int | None
    columns: list[dict[str, Any]]
    """``[{"name": ..., "type": ..., "role": ...}]``"""
    key_columns: list[str]
    sources: list[str]
    view_sql: str | None


def upsert(con: duckdb.DuckDBPyConnection, item: CatalogEntry) -> None:
    """Insert or replace an entry (inside the caller's transaction)."""
    con.execute("DELETE FROM _streamduck.definitions WHERE name = ?", [item.name])
    con.execute(
        "INSERT INTO _streamduck.definitions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
        [
            item.name,
            item.kind,
            item.topic,
            item.origin,
            item.statement,
            item.file,
            item.line,
            json.dumps(item.columns),
            json.dumps(item.key_columns),
            json.dumps(item.sources),
            item.view_sql,
        ],
    )


def remove(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute("DELETE FROM _streamduck.definitions WHERE name = ?", [name])


def entries(con: duckdb.DuckDBPyConnection) -> list[CatalogEntry]:
    """Every applied definition, by name; empty when nothing was ever applied."""
    (exists,) = one_row(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = '_streamduck' AND table_name = 'definitions'"
        )
    )
    if not exists:
        return []
    rows = con.execute(
        "SELECT name, kind, topic, origin, statement, file, line, columns, key_columns, sources, view_sql "
        "FROM _streamduck.definitions ORDER BY name"
    ).fetchall()
    return [_entry(row) for row in rows]


def entry(con: duckdb.DuckDBPyConnection, name: str) -> CatalogEntry | None:
    return next((e for e in entries(con) if e.name == name), None)


def _entry(row: tuple[Any, ...]) -> CatalogEntry:
    name, kind, topic, origin, statement, file, line, columns, keys, sources, view_sql = row
    return CatalogEntry(
        name,
        kind,
        topic,
        origin,
        statement,
        file,
        line,
        json.loads(columns or "[]"),
        json.loads(keys or "[]"),
        json.loads(sources or "[]"),
        view_sql,
    )


def relation_schema(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """Every table and view of the ``main`` schema: name -> [(column, DuckDB type)], for the compiler."""
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
    ).fetchall()
    schema: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        schema.setdefault(table.upper(), []).append((column, data_type))
    return schema


def table_histories(items: list[CatalogEntry]) -> dict[str, str]:
    """Source TABLE name -> SELECT of every version its rows had, for aggregations over it."""
    from streamduck.warehouse.layout import history_select

    return {
        e.name: history_select(e.name, e.topic)
        for e in items
        if e.kind == "TABLE" and e.origin == "source" and e.topic
    }


def view_columns(con: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, str]]:
    """The columns of a view as DuckDB reports them."""
    rows = con.execute(f"DESCRIBE main.{quote_sql(name)}").fetchall()
    return [{"name": row[0], "type": row[1]} for row in rows]
