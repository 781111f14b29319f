"""ksqlDB-style statements: parsing (sqlglot-based), the object model, and compilation to DuckDB.

Importing this package is cheap: sqlglot is imported only when a statement is parsed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from streamduck.ksql.model import SourceDefinition

__all__ = ["load_sources"]


def load_sources(streams_dir: Path) -> list[SourceDefinition]:
    """The source definitions (``CREATE STREAM|TABLE`` with columns) of every ``*.sql`` in a folder.

    See :func:`streamduck.ksql.sources.load_sources`.
    """
    from streamduck.ksql.sources import load_sources as _load

    return _load(streams_dir)
