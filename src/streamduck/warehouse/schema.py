"""The one owner of the warehouse's internal schema: its DDL, its version, its migrations.

Every table streamduck keeps for itself (``_streamduck.*``) and every per-source table is created
here and nowhere else. ``_streamduck.schema_version`` holds one row per applied migration; the
highest version is the layout the file has.

:data:`MIGRATIONS` is history: a migration, once released, is never edited (a file somewhere was
written by it). A change to the layout is a new :class:`Migration` appended at the end, written to
take any warehouse of the previous version to the new one; it runs in the same transaction as the
version row it adds, so a crash leaves the file at the old version or the new, never between.

A warehouse written before versions existed (it has ``_streamduck`` tables but no version row) is
taken as version 0. :func:`migrate` brings a file to :data:`SCHEMA_VERSION` when it is opened
read-write; a file of a newer version than this code knows is refused with
:class:`~streamduck.errors.WarehouseTooNew`, since writing it with older code could lose data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from streamduck.errors import WarehouseTooNew
from streamduck.warehouse.connection import one_row
from streamduck.warehouse.sqltext import qualified

if TYPE_CHECKING:
    import duckdb

    from streamduck.ksql.model import SourceDefinition

__all__ = [
    "INTERNAL_SCHEMA",
    "MIGRATIONS",
    "RAW_SCHEMA",
    "SCHEMA_VERSION",
    "Migration",
    "create_commit_fence",
    "create_source_tables",
    "execute_ddl",
    "migrate",
    "raw_table",
    "refuse_newer",
    "schema_version",
]

INTERNAL_SCHEMA = "_streamduck"
RAW_SCHEMA = "raw"


@dataclass(frozen=True)
class Migration:
    """One step of the layout: ``apply`` takes a warehouse at ``version - 1`` to ``version``."""

    version: int
    summary: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


def _v1_release_layout(con: duckdb.DuckDBPyConnection) -> None:
    """The layout as released before versions: loader state, catalog, check results.

    ``IF NOT EXISTS`` throughout: a version-0 file has some or all of these already (a file only
    ever loaded into has no catalog, one never checked has no check results).
    """
    for statement in (
        f"CREATE SCHEMA IF NOT EXISTS {INTERNAL_SCHEMA}",
        f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}",
        f"""CREATE TABLE IF NOT EXISTS {INTERNAL_SCHEMA}.offsets (
            stream VARCHAR NOT NULL, topic VARCHAR NOT NULL, "partition" INTEGER NOT NULL,
            next_offset BIGINT NOT NULL, loader VARCHAR, updated_at TIMESTAMP NOT NULL,
            PRIMARY KEY (stream, topic, "partition"))""",
        f"""CREATE TABLE IF NOT EXISTS {INTERNAL_SCHEMA}.dead_letters (
            stream VARCHAR NOT NULL, topic VARCHAR NOT NULL, "partition" INTEGER NOT NULL,
            "offset" BIGINT NOT NULL, timestamp_ms BIGINT, "key" BLOB, "value" BLOB,
            headers STRUCT("key" VARCHAR, "value" BLOB)[], reason VARCHAR NOT NULL, detail VARCHAR,
            dead_at TIMESTAMP NOT NULL,
            PRIMARY KEY (stream, topic, "partition", "offset"))""",
        f"CREATE SEQUENCE IF NOT EXISTS {INTERNAL_SCHEMA}.batch_ids",
        f"""CREATE TABLE IF NOT EXISTS {INTERNAL_SCHEMA}.load_history (
            batch_id BIGINT PRIMARY KEY, stream VARCHAR NOT NULL, topic VARCHAR NOT NULL,
            guarantee VARCHAR NOT NULL, loader VARCHAR, ranges JSON, records BIGINT, "rows" BIGINT,
            dead_letters BIGINT, duplicates BIGINT, "bytes" BIGINT, started_at TIMESTAMP,
            committed_at TIMESTAMP, duration_ms DOUBLE)""",
        f"""CREATE TABLE IF NOT EXISTS {INTERNAL_SCHEMA}.schema_drift (
            stream VARCHAR NOT NULL, field VARCHAR NOT NULL, kind VARCHAR NOT NULL,
            first_partition INTEGER, first_offset BIGINT, count BIGINT NOT NULL,
            first_seen_at TIMESTAMP, last_seen_at TIMESTAMP,
            PRIMARY KEY (stream, field, kind))""",
        f"""CREATE TABLE IF NOT EXISTS {INTERNAL_SCHEMA}.definitions (
            name VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, topic VARCHAR, origin VARCHAR NOT NULL,
            statement VARCHAR NOT NULL, file VARCHAR, line INTEGER, columns JSON, key_columns JSON,
            sources JSON, view_sql VARCHAR, applied_at TIMESTAMP NOT NULL)""",
        f"""CREATE TABLE IF NOT EXISTS {INTERNAL_SCHEMA}.check_results (
            run_id VARCHAR NOT NULL, checked_at TIMESTAMPTZ NOT NULL, stream VARCHAR NOT NULL,
            expectation VARCHAR NOT NULL, column_name VARCHAR, origin VARCHAR NOT NULL,
            success BOOLEAN NOT NULL, element_count BIGINT NOT NULL, unexpected_count BIGINT NOT NULL,
            unexpected_percent DOUBLE NOT NULL, sample_values JSON, error VARCHAR)""",
    ):
        execute_ddl(con, statement)


def _v2_commit_conflicts(con: duckdb.DuckDBPyConnection) -> None:
    """Load history counts the commit conflicts a batch met (DuckLake: concurrent writers) before it landed."""
    con.execute(
        f"ALTER TABLE {INTERNAL_SCHEMA}.load_history ADD COLUMN IF NOT EXISTS commit_conflicts BIGINT DEFAULT 0"
    )


def _topic_identity(con: duckdb.DuckDBPyConnection) -> None:
    """Each stored offset remembers the topic incarnation it was loaded from; load history says
    what a row records (a load, a reset, a skip) and why (see :mod:`streamduck.load.coverage`)."""
    con.execute(f"ALTER TABLE {INTERNAL_SCHEMA}.offsets ADD COLUMN IF NOT EXISTS topic_id VARCHAR")
    for column in ("action", "detail", "topic_id"):
        con.execute(f"ALTER TABLE {INTERNAL_SCHEMA}.load_history ADD COLUMN IF NOT EXISTS {column} VARCHAR")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "loader state, catalog and check results, as released before versions", _v1_release_layout),
    Migration(2, "load_history.commit_conflicts", _v2_commit_conflicts),
    Migration(3, "topic identity with the offsets; load history action and detail", _topic_identity),
)
"""Every layout change, oldest first; versions are 1, 2, ... in order (checked at import)."""

SCHEMA_VERSION = MIGRATIONS[-1].version
"""The layout this code reads and writes."""

if [m.version for m in MIGRATIONS] != list(range(1, len(MIGRATIONS) + 1)):
    raise AssertionError("MIGRATIONS must be numbered 1, 2, ... in order")

_VERSION_TABLE = f"{INTERNAL_SCHEMA}.schema_version"


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The file's layout version: None for a file streamduck never wrote, 0 before versions."""
    tables = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = ?",
            [INTERNAL_SCHEMA],
        ).fetchall()
    }
    if "schema_version" in tables:
        (version,) = one_row(con.execute(f"SELECT coalesce(max(version), 0) FROM {_VERSION_TABLE}"))
        return int(version)
    return 0 if tables else None


def refuse_newer(version: int | None, where: str) -> None:
    """Raise :class:`WarehouseTooNew` when ``version`` is beyond what this code knows."""
    if version is not None and version > SCHEMA_VERSION:
        raise WarehouseTooNew(
            f"warehouse {where} has internal schema version {version}, but this streamduck knows "
            f"versions up to {SCHEMA_VERSION}: upgrade streamduck to use this warehouse"
        )


def migrate(con: duckdb.DuckDBPyConnection, where: str = "file") -> int:
    """Bring the warehouse to :data:`SCHEMA_VERSION` (creating it when empty); return the version found.

    The pending migrations and their version rows commit in one transaction of their own, so call
    it outside any transaction (a current warehouse costs one catalog query and no transaction).
    """
    found = schema_version(con)
    refuse_newer(found, where)
    if found == SCHEMA_VERSION:
        return found
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {INTERNAL_SCHEMA}")
        execute_ddl(
            con,
            f"""CREATE TABLE IF NOT EXISTS {_VERSION_TABLE} (
                version INTEGER PRIMARY KEY, summary VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)""",
        )
        for migration in MIGRATIONS[found or 0 :]:
            migration.apply(con)
            con.execute(
                f"INSERT INTO {_VERSION_TABLE} VALUES (?, ?, now()::TIMESTAMP)",
                [migration.version, migration.summary],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return found or 0


def execute_ddl(con: duckdb.DuckDBPyConnection, statement: str) -> None:
    """Run one of the DDL statements above, as the warehouse's catalog can hold it.

    A DuckLake has no PRIMARY KEY/UNIQUE constraints, no sequences and no per-column compression
    choice (its Parquet files are compressed by the writer): there the statement runs without them.
    Nothing relies on the keys for correctness: every write that could repeat a key is a
    compare-and-set, an UPDATE of the existing row or an INSERT ... WHERE NOT EXISTS.
    """
    from streamduck.warehouse.backend import is_ducklake

    if is_ducklake(con):
        if statement.lstrip().upper().startswith("CREATE SEQUENCE"):
            return
        statement = re.sub(r",\s*PRIMARY KEY\s*\([^)]*\)", "", statement)
        statement = re.sub(r"\s+PRIMARY KEY\b", "", statement)
        statement = re.sub(r"\s+USING COMPRESSION \w+", "", statement)
    con.execute(statement)


def raw_table(definition: SourceDefinition) -> str:
    """Quoted name of the source's raw landing table."""
    return qualified(RAW_SCHEMA, definition.name)


def create_source_tables(con: duckdb.DuckDBPyConnection, definition: SourceDefinition) -> None:
    """Create the tables a source's records land in, if missing."""
    # zstd for the JSON text: checkpoints compress it ~40% faster than DuckDB's default choice
    # (dictionary/FSST after analysis) and the file is ~35% smaller; scans are as fast.
    execute_ddl(
        con,
        f"""CREATE TABLE IF NOT EXISTS {raw_table(definition)} (
            topic VARCHAR NOT NULL, "partition" INTEGER NOT NULL, "offset" BIGINT NOT NULL,
            timestamp_ms BIGINT, "key" BLOB, headers STRUCT("key" VARCHAR, "value" BLOB)[],
            "value" VARCHAR USING COMPRESSION zstd)""",
    )
    create_commit_fence(con, definition.name)


def create_commit_fence(con: duckdb.DuckDBPyConnection, stream: str) -> None:
    """The row every exactly-once commit of ``stream`` updates (see :class:`WarehouseOffsets.fence`).

    DuckLake detects conflicts per table and only for deletes/updates: two loaders that both INSERT
    the first offsets of a partition would both commit. Updating an existing row in one shared table
    makes any two concurrent commits conflict. Seeded here, before the first batch; two processes
    seeding at once leave two rows, which is harmless (both are updated).
    """
    execute_ddl(
        con,
        f"CREATE TABLE IF NOT EXISTS {INTERNAL_SCHEMA}.commit_fences (stream VARCHAR NOT NULL, commits BIGINT NOT NULL)",
    )
    con.execute(
        f"""INSERT INTO {INTERNAL_SCHEMA}.commit_fences SELECT $stream, 0
            WHERE NOT EXISTS (SELECT 1 FROM {INTERNAL_SCHEMA}.commit_fences WHERE stream = $stream)""",
        {"stream": stream},
    )
