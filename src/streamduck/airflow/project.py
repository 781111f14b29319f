"""What DAG files need at parse time: project paths, declared streams and their assets.

Parsing only reads files under ``sql/streams``: no broker, no warehouse.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamduck.settings import Settings

if TYPE_CHECKING:
    from streamduck.ksql.model import SourceDefinition

__all__ = ["KAFKA_CONN_ID", "WAREHOUSE_POOL", "declared_streams", "project_settings", "raw_asset"]

KAFKA_CONN_ID = "kafka_default"
"""The Airflow connection holding the brokers (JSON extra with ``bootstrap.servers``)."""
WAREHOUSE_POOL = "streamduck_warehouse"
"""One-slot pool shared by every task that writes the DuckDB file (DuckDB allows one writer)."""

_PATH_FIELDS = ("warehouse", "sql_dir", "producers_dir")


def project_root(dags_file: str | Path) -> Path:
    """The project a DAG file belongs to: the parent of its ``dags/`` folder."""
    return Path(dags_file).resolve().parent.parent


def project_settings(dags_file: str | Path, **values: Any) -> Settings:
    """Settings whose relative paths are taken relative to the project, not the process's cwd.

    Airflow's processes run from arbitrary working directories, so ``sql/`` and
    ``data/warehouse.duckdb`` (defaults, or relative ``STREAMDUCK_*`` values) are anchored at the
    project root of ``dags_file``.
    """
    settings = Settings(**values)
    root = project_root(dags_file)
    anchored = {
        f: root / getattr(settings, f) for f in _PATH_FIELDS if not getattr(settings, f).is_absolute()
    }
    return settings.model_copy(update=anchored)


def declared_streams(settings: Settings) -> list[SourceDefinition]:
    """The source streams declared in ``sql/streams`` (file parsing only)."""
    from streamduck.ksql import load_sources

    return load_sources(settings.streams_dir)


def raw_asset(definition: SourceDefinition, settings: Settings) -> Any:
    """The Airflow Asset a load of ``definition`` updates: ``duckdb://<file>/raw.<stream>``."""
    from airflow.sdk import Asset

    name = definition.name.lower()
    return Asset(name=f"streamduck.raw.{name}", uri=f"duckdb://{settings.warehouse.name}/raw.{name}")
