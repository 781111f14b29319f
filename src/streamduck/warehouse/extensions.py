"""DuckDB extensions loaded by path from their PyPI wheels: no network at run time.

``LOAD ducklake`` by name makes DuckDB download the extension from its own server, which air-gapped
hosts (and our CI) cannot reach. The ``duckdb-extension-<name>`` wheels, pinned to the same DuckDB
version, ship ``extensions/v<version>/<name>.duckdb_extension``; we ``LOAD`` that file, and turn
DuckDB's automatic install/load off so nothing ever reaches for the network behind our back.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from streamduck.errors import ConfigError
from streamduck.warehouse.sqltext import quote_string

if TYPE_CHECKING:
    import duckdb

__all__ = ["OFFLINE_CONFIG", "extension_path", "load_extension"]

OFFLINE_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
"""DuckDB connection config: never download or auto-load an extension (every one is loaded by path)."""

_PACKAGES = {"ducklake": "duckdb_extension_ducklake", "postgres_scanner": "duckdb_extension_postgres_scanner"}


def extension_path(name: str) -> Path:
    """The extension file shipped by the ``duckdb-extension-<name>`` wheel for this DuckDB.

    Raises:
        ConfigError: the wheel is missing, or built for another DuckDB version.
    """
    import duckdb

    package = _PACKAGES[name]
    spec = importlib.util.find_spec(package)
    wheel = package.replace("_", "-")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            f"DuckDB extension {name!r} is not installed: install {wheel}=={duckdb.__version__}"
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    path = root / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.exists():
        found = sorted(p.name for p in (root / "extensions").glob("v*"))
        raise ConfigError(
            f"DuckDB extension {name!r} for DuckDB {duckdb.__version__} is missing from {wheel} "
            f"(it has {', '.join(found) or 'none'}): install {wheel}=={duckdb.__version__}"
        )
    return path


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """``LOAD`` the extension into ``con`` from its wheel."""
    con.execute(f"LOAD {quote_string(str(extension_path(name)))}")
