"""Choosing which source definitions a load run covers: the warehouse catalog, then ``sql/streams``.

The warehouse catalog (what ``ksql apply`` registered, from any file) is the source of truth; the
files of ``sql/streams`` are the project's default set, loaded too when they were never applied.
Where both define a name, the applied definition wins: it is the one the warehouse's tables follow.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from streamduck.errors import ConfigError
from streamduck.ksql.model import SourceDefinition
from streamduck.settings import Settings
from streamduck.warehouse.waits import WAITS

if TYPE_CHECKING:
    from streamduck.ksql.parser import Statement
    from streamduck.warehouse.backend import Warehouse

__all__ = ["catalog_sources", "default_group", "project_sources", "select_sources"]


def select_sources(
    settings: Settings,
    names: Sequence[str] | None,
    definitions: Sequence[SourceDefinition] | None = None,
) -> list[SourceDefinition]:
    """The definitions to load: all source streams/tables, or the named ones (case-insensitive).

    Raises:
        ConfigError: a named stream is not defined, or nothing is defined.
    """
    from streamduck.project import find_streams

    if definitions is None:
        definitions = project_sources(settings)
    if not names:
        chosen = list(definitions)
    else:
        where = f"the warehouse catalog or {settings.streams_dir}"
        chosen = find_streams(definitions, names, where, what="source stream")
    if not chosen:
        raise ConfigError(
            f"no source streams are defined: none applied to {settings.backend.location} and none in "
            f"{settings.streams_dir} (run `streamduck ksql apply FILE`)"
        )
    return chosen


def project_sources(settings: Settings, lock_wait_s: float = WAITS.load) -> list[SourceDefinition]:
    """Every applied source of the warehouse catalog, then the unapplied ones of ``sql/streams``."""
    from streamduck.ksql import load_sources

    applied = catalog_sources(settings.backend, lock_wait_s)
    names = {d.name for d in applied}
    return applied + [d for d in load_sources(settings.streams_dir) if d.name not in names]


def catalog_sources(warehouse: Warehouse, lock_wait_s: float = WAITS.load) -> list[SourceDefinition]:
    """The source definitions the warehouse catalog holds, rebuilt from their applied statements."""
    from streamduck.ksql import catalog
    from streamduck.ksql.parser import parse_text
    from streamduck.ksql.sources import definition_from, is_source

    if not warehouse.exists():
        return []
    con = warehouse.connect(read_only=True, wait_s=lock_wait_s)
    try:
        entries = [e for e in catalog.entries(con) if e.origin == "source"]
    finally:
        con.close()
    found: list[SourceDefinition] = []
    for item in entries:
        path = Path(item.file) if item.file else None
        for statement in parse_text(item.statement, path):
            if is_source(statement.expression):
                found.append(definition_from(_at_line(statement, item.line)))
    return found


def default_group(settings: Settings) -> str:
    """The loader's consumer group when none is given: one per warehouse.

    Loaders of unrelated warehouses on one cluster must not share a group, or each run makes the
    others rebalance. The name hashes the warehouse's masked location (a DuckDB file's resolved
    path): a password in a DuckLake catalog's parameters never shapes a name anyone can list.
    """
    from streamduck.warehouse.backend import DuckDBFile

    backend = settings.backend
    location = str(backend.path.resolve()) if isinstance(backend, DuckDBFile) else backend.location
    return f"streamduck-loader-{hashlib.sha256(location.encode()).hexdigest()[:12]}"


def _at_line(statement: Statement, line: int | None) -> Statement:
    """The statement as parsed alone starts at line 1; errors should name its line in its file."""
    return dataclasses.replace(statement, line=line or 1)
