"""Reading the catalog for ``ksql list`` and ``ksql describe`` (a read-only warehouse connection)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from streamduck.errors import DefinitionError
from streamduck.warehouse.waits import WAITS

if TYPE_CHECKING:
    from streamduck.ksql.catalog import CatalogEntry
    from streamduck.settings import Settings

__all__ = ["describe_definition", "list_definitions"]


def _entries(settings: Settings) -> list[CatalogEntry]:
    from streamduck.ksql import catalog

    if not settings.backend.exists():
        return []
    con = settings.backend.connect(read_only=True, wait_s=WAITS.glance)
    try:
        return catalog.entries(con)
    finally:
        con.close()


def list_definitions(settings: Settings) -> list[dict[str, Any]]:
    """One row per applied stream or table."""
    return [
        {
            "name": e.name,
            "kind": e.kind,
            "origin": e.origin,
            "topic": e.topic,
            "key": ", ".join(e.key_columns),
            "file": f"{e.file}:{e.line}" if e.file else None,
        }
        for e in _entries(settings)
    ]


def describe_definition(settings: Settings, name: str) -> tuple[CatalogEntry, list[dict[str, Any]]]:
    """The entry and its columns; the name follows ksqlDB's rule (unquoted is upper-cased).

    Raises:
        DefinitionError: no such stream or table.
    """
    wanted = {name, name.upper()}
    entry = next((e for e in _entries(settings) if e.name in wanted), None)
    if entry is None:
        raise DefinitionError(
            f"Could not find STREAM/TABLE '{name.upper()}' in the warehouse (run `ksql apply` first)"
        )
    columns = [
        {"column": c["name"], "type": _ksql_type(entry, c["type"]), "role": _role(entry, c)}
        for c in _with_window_bounds(entry)
    ]
    return entry, columns


def _with_window_bounds(entry: CatalogEntry) -> list[dict[str, Any]]:
    """The entry's columns; a windowed source's (``WINDOW_TYPE``) with WINDOWSTART and WINDOWEND
    after its key, where its view and ``SELECT *`` have them (a derived view lists its own)."""
    from streamduck.ksql.parser import parse_text
    from streamduck.ksql.sources import definition_from

    if entry.origin != "source" or not definition_from(parse_text(entry.statement)[0]).window_type:
        return entry.columns
    keys = [c for c in entry.columns if c["name"] in entry.key_columns]
    bounds = [{"name": name, "type": "BIGINT", "role": role} for name, role in _BOUNDS]
    return keys + bounds + [c for c in entry.columns if c not in keys]


_BOUNDS = (("WINDOWSTART", "window start"), ("WINDOWEND", "window end"))


def _ksql_type(entry: CatalogEntry, type_text: str) -> str:
    """Sources keep their declared ksqlDB types; a derived view's columns are typed by DuckDB."""
    from streamduck.ksql.types import ksql_type_from_duckdb

    return type_text if entry.origin == "source" else ksql_type_from_duckdb(type_text)


def _role(entry: CatalogEntry, column: dict[str, Any]) -> str:
    from streamduck.ksql.names import PSEUDO_COLUMNS, WINDOW_BOUNDS

    name = column["name"]
    if column.get("role"):
        return str(column["role"])
    if name in entry.key_columns:
        return "key"
    if name in WINDOW_BOUNDS:
        return "window start" if name == "WINDOWSTART" else "window end"
    return "pseudo-column" if name in PSEUDO_COLUMNS else "value"
