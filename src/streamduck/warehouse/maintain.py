"""Warehouse housekeeping: ``streamduck maintain`` and the ``streamduck_maintain`` DAG.

Micro-batches make small writes. On a DuckLake every commit adds a snapshot and, once its rows
outgrow the catalog's inlining limit, one small Parquet file per table written; readers then open
many files and the catalog keeps every snapshot for time travel. Maintenance, in order:

1. flush inlined rows into Parquet files (small commits are kept in the catalog first);
2. merge adjacent small files of each table into larger ones;
3. expire snapshots older than ``older_than`` (time travel stops there);
4. delete the files those steps left unreferenced once scheduled longer than ``older_than`` (a
   reader scanning an old snapshot keeps its files until then).

Every step is a DuckLake transaction that may conflict with loaders committing at the same time;
it is retried like theirs (:func:`~streamduck.warehouse.backend.retry_conflicts`), so maintenance
runs while loaders load. On a DuckDB file maintenance is a CHECKPOINT.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamduck.warehouse.backend import CATALOG, DuckDBFile, DuckLake, retry_conflicts
from streamduck.warehouse.connection import one_row
from streamduck.warehouse.sqltext import quote_ident, quote_string

if TYPE_CHECKING:
    import duckdb

    from streamduck.settings import Settings

__all__ = ["Figures", "MaintenanceReport", "maintain"]


@dataclass(frozen=True)
class Figures:
    """The warehouse's shape at one moment."""

    data_files: int
    data_bytes: int
    snapshots: int | None = None
    files_on_disk: int | None = None
    """Parquet files under a local data path, referenced or not (None: object storage or a file)."""


@dataclass
class MaintenanceReport:
    warehouse: str
    before: Figures
    after: Figures | None = None
    steps: list[str] = field(default_factory=list)
    duration_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "warehouse": self.warehouse,
            "before": self.before.__dict__,
            "after": self.after.__dict__ if self.after else None,
            "steps": self.steps,
            "duration_s": round(self.duration_s, 2),
        }


def maintain(settings: Settings, older_than: dt.timedelta = dt.timedelta(hours=1)) -> MaintenanceReport:
    """Run the maintenance steps of the configured backend; figures before and after.

    Raises:
        ConfigError: the warehouse does not exist yet. WarehouseLocked, WarehouseUnavailable.
    """
    from streamduck.errors import ConfigError

    backend = settings.backend
    if not backend.exists():
        raise ConfigError(f"warehouse {backend.location} does not exist yet: nothing to maintain")
    started = time.monotonic()
    con = backend.connect(wait_s=120)
    try:
        if isinstance(backend, DuckLake):
            report = MaintenanceReport(backend.location, _lake_figures(con, backend))
            _maintain_lake(con, older_than, report)
            report.after = _lake_figures(con, backend)
        else:
            assert isinstance(backend, DuckDBFile)
            report = MaintenanceReport(backend.location, _file_figures(backend.path))
            con.execute("CHECKPOINT")
            report.steps.append("checkpoint")
    finally:
        con.close()
    if isinstance(backend, DuckDBFile):
        report.after = _file_figures(backend.path)
    report.duration_s = time.monotonic() - started
    return report


def _maintain_lake(
    con: duckdb.DuckDBPyConnection, older_than: dt.timedelta, report: MaintenanceReport
) -> None:
    lake = quote_string(CATALOG)
    cutoff = f"now() - INTERVAL {quote_string(f'{older_than.total_seconds()} seconds')}"
    steps = (
        ("flush inlined data", f"CALL ducklake_flush_inlined_data({lake})"),
        ("merge adjacent files", f"CALL ducklake_merge_adjacent_files({lake})"),
        ("expire snapshots", f"CALL ducklake_expire_snapshots({lake}, older_than => {cutoff})"),
        ("clean up old files", f"CALL ducklake_cleanup_old_files({lake}, older_than => {cutoff})"),
    )
    for name, statement in steps:
        # Counted through Arrow: Python rows would need pytz for the TIMESTAMPTZ columns.
        rows = retry_conflicts(functools.partial(_counted, con, statement))
        report.steps.append(f"{name}: {rows}")


def _counted(con: duckdb.DuckDBPyConnection, statement: str) -> int:
    """Run ``statement``; how many rows it answered."""
    return int(con.execute(statement).fetch_arrow_table().num_rows)


def _lake_figures(con: duckdb.DuckDBPyConnection, lake: DuckLake) -> Figures:
    metadata = quote_ident(f"__ducklake_metadata_{CATALOG}")
    files, size = one_row(
        con.execute(
            f"SELECT count(*), coalesce(sum(file_size_bytes), 0) FROM {metadata}.ducklake_data_file "
            "WHERE end_snapshot IS NULL"
        )
    )
    (snapshots,) = one_row(con.execute(f"SELECT count(*) FROM {metadata}.ducklake_snapshot"))
    on_disk = None
    (data_path,) = one_row(
        con.execute(f"SELECT value FROM {metadata}.ducklake_metadata WHERE key = 'data_path'")
    )
    if data_path and "://" not in data_path and Path(data_path).is_dir():
        on_disk = sum(
            1 for _root, _dirs, names in os.walk(data_path) for n in names if n.endswith(".parquet")
        )
    return Figures(int(files), int(size), int(snapshots), on_disk)


def _file_figures(path: Path) -> Figures:
    wal = path.with_name(path.name + ".wal")
    size = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    return Figures(data_files=1, data_bytes=size)
