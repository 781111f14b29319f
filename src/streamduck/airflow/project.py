"""What DAG files need at parse time: project paths, declared streams and their assets.

Parsing only reads files under ``sql/streams``: no broker, no warehouse.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamduck.project import Project
from streamduck.settings import Settings

if TYPE_CHECKING:
    from streamduck.ksql.model import SourceDefinition

KAFKA_CONN_ID = "kafka_default"
"""The Airflow connection holding the brokers (JSON extra with ``bootstrap.servers``)."""
WAREHOUSE_POOL = "streamduck_warehouse"
"""One-slot pool shared by every task that writes a DuckDB file (DuckDB allows one writer)."""

_PATH_FIELDS = ("sql_dir", "producers_dir")


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
    anchored: dict[str, Any] = {
        f: root / getattr(settings, f) for f in _PATH_FIELDS if not getattr(settings, f).is_absolute()
    }
    anchored["warehouse"] = _anchored_warehouse(settings.warehouse, root)
    if settings.data_path and "://" not in settings.data_path:
        anchored["data_path"] = str(root / settings.data_path)  # an absolute one stays as it is
    return settings.model_copy(update=anchored)


def _anchored_warehouse(location: str, root: Path) -> str:
    """A DuckDB file or local DuckLake catalog path made absolute; a PostgreSQL catalog as it is."""
    prefix = "ducklake:" if location.startswith("ducklake:") else ""
    rest = location.removeprefix(prefix)
    if rest.startswith("postgres:"):
        return location
    return prefix + str(root / rest)


def writer_pool(settings: Settings) -> str | None:
    """The pool of tasks that write the warehouse: one slot for a DuckDB file, none for DuckLake.

    A DuckDB file admits one writing process, so its writers queue in Airflow rather than on the
    file lock; a DuckLake on PostgreSQL takes concurrent writers (Airflow's default pool then).
    """
    return WAREHOUSE_POOL if settings.backend.single_writer else None


def dag_project(dags_file: str | Path, **values: Any) -> Project:
    """The project of a DAG file (see :func:`project_settings`): parsed once per DAG file parse."""
    return Project(project_settings(dags_file, **values))


def raw_asset(definition: SourceDefinition, settings: Settings) -> Any:
    """The Airflow Asset a load of ``definition`` updates: ``duckdb://<file>/raw.<stream>`` (or ``ducklake://``)."""
    from airflow.sdk import Asset

    name = definition.name.lower()
    return Asset(name=f"streamduck.raw.{name}", uri=settings.backend.asset_uri("raw", name))


def raw_assets(project: Project) -> list[Any]:
    """The raw Assets of every declared stream: what the load DAG updates, what the others wait for."""
    return [raw_asset(definition, project.settings) for definition in project.declared_streams]
