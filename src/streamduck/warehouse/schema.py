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

from streamduck.errors import DefinitionError, WarehouseTooNew
from streamduck.warehouse.connection import one_row
from streamduck.warehouse.sqltext import qualified, quote_ident, quote_string

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
    "LATEST_SCHEMA",
    "check_column_names",
    "create_source_tables",
    "execute_ddl",
    "landing_columns",
    "landing_recipe",
    "latest_columns",
    "latest_table",
    "migrate",
    "raw_table",
    "record_landing_recipe",
    "replace_source_tables",
    "refuse_newer",
    "schema_version",
]

INTERNAL_SCHEMA = "_streamduck"
RAW_SCHEMA = "raw"
LATEST_SCHEMA = "latest"

TOPIC, KEY, HEADERS, TIMESTAMP, VALUE = "__topic", "__key", "__headers", "__timestamp_ms", "__value"
"""Landing-table columns holding the record as it came: topic (``name@id`` once the topic was
re-created, see :mod:`~streamduck.load.reposition`), key bytes, headers, Kafka timestamp, value."""
_RECORD_COLUMNS = (
    ("ROWTIME", "BIGINT"),
    ("ROWPARTITION", "INTEGER"),
    ("ROWOFFSET", "BIGINT"),
    (TOPIC, "VARCHAR"),
    (KEY, "BLOB"),
    (HEADERS, 'STRUCT("key" VARCHAR, "value" BLOB)[]'),
    (TIMESTAMP, "BIGINT"),
    (VALUE, "VARCHAR"),
)


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


def _v4_typed_landing(con: duckdb.DuckDBPyConnection) -> None:
    """Typed landing tables: each source's records land in its declared columns plus the record
    (coordinates, key, headers, value bytes); TABLE sources get a materialized ``latest`` table.

    Sources the catalog knows are converted now, re-typed from the JSON text the old landing
    tables kept; others (loaded from files never applied) when a loader or ``ksql apply`` next
    meets their definition (:func:`~streamduck.warehouse.layout.ensure_source`).
    """
    from streamduck.warehouse.layout import convert_catalog_sources

    con.execute(f"CREATE SCHEMA IF NOT EXISTS {LATEST_SCHEMA}")
    execute_ddl(
        con,
        f"""CREATE TABLE IF NOT EXISTS {INTERNAL_SCHEMA}.landings (
            stream VARCHAR NOT NULL, recipe JSON NOT NULL, built_at TIMESTAMP NOT NULL)""",
    )
    convert_catalog_sources(con)


def _v5_inserted_values(con: duckdb.DuckDBPyConnection) -> None:
    """The INSERT ... VALUES statements ``ksql apply`` produced, so re-applying a file produces each once
    (a statement is its file, its text and which of the file's identical statements it is)."""
    execute_ddl(
        con,
        f"""CREATE TABLE IF NOT EXISTS {INTERNAL_SCHEMA}.inserted_values (
            file VARCHAR NOT NULL, statement VARCHAR NOT NULL, ordinal INTEGER NOT NULL,
            target VARCHAR NOT NULL, topic VARCHAR NOT NULL, produced_at TIMESTAMP NOT NULL,
            PRIMARY KEY (file, statement, ordinal))""",
    )


def _v6_custom_types(con: duckdb.DuckDBPyConnection) -> None:
    """``CREATE TYPE`` aliases, so a later ``ksql apply`` can use them (name -> ksqlDB type text)."""
    execute_ddl(
        con,
        f"""CREATE TABLE IF NOT EXISTS {INTERNAL_SCHEMA}.custom_types (
            name VARCHAR PRIMARY KEY, type VARCHAR NOT NULL)""",
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "loader state, catalog and check results, as released before versions", _v1_release_layout),
    Migration(2, "load_history.commit_conflicts", _v2_commit_conflicts),
    Migration(3, "topic identity with the offsets; load history action and detail", _topic_identity),
    Migration(
        4, "typed landing tables with the records' bytes; TABLE sources materialized", _v4_typed_landing
    ),
    Migration(5, "the INSERT ... VALUES statements ksql apply produced", _v5_inserted_values),
    Migration(6, "CREATE TYPE aliases", _v6_custom_types),
)
"""Every layout change, oldest first; versions are 1, 2, ... in order (checked at import)."""

SCHEMA_VERSION = MIGRATIONS[-1].version
"""The layout this code reads and writes."""

if [m.version for m in MIGRATIONS] != list(range(1, len(MIGRATIONS) + 1)):
    raise AssertionError("MIGRATIONS must be numbered 1, 2, ... in order")

_VERSION_TABLE = f"{INTERNAL_SCHEMA}.schema_version"


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The file's layout version: None for a file streamduck never wrote, 0 before versions."""
    # A quoted literal, not a parameter: DuckDB imports pandas (~0.6 s) to bind any parameter, and
    # every command that opens the warehouse runs this first.
    tables = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            f"AND schema_name = {quote_string(INTERNAL_SCHEMA)}"
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
    """Quoted name of the source's landing table: every loaded record, typed, with its bytes."""
    return qualified(RAW_SCHEMA, definition.name)


def latest_table(definition: SourceDefinition) -> str:
    """Quoted name of a TABLE source's materialized state: the latest row per key."""
    return qualified(LATEST_SCHEMA, definition.name)


def landing_columns(definition: SourceDefinition) -> list[tuple[str, str]]:
    """``(name, DuckDB type)`` of the landing table's columns, in order."""
    from streamduck.warehouse.coerce import column_duckdb_type

    declared = [(c.name, column_duckdb_type(c)) for c in definition.columns]
    return declared + list(_RECORD_COLUMNS)


def latest_columns(definition: SourceDefinition) -> list[tuple[str, str]]:
    """``(name, DuckDB type)`` of a TABLE source's state table: the landing columns but the bytes."""
    return [(name, kind) for name, kind in landing_columns(definition) if name not in (HEADERS, VALUE)]


def check_column_names(definition: SourceDefinition) -> None:
    """Refuse declared columns whose names the landing table uses for the record's coordinates."""
    reserved = {name.upper() for name, _ in _RECORD_COLUMNS}
    clashes = [c.name for c in definition.columns if c.name.upper() in reserved]
    if clashes:
        raise DefinitionError(
            f"{definition.name}: column name {clashes[0]} is reserved "
            f"(the warehouse keeps {', '.join(n for n, _ in _RECORD_COLUMNS)} for every record)"
        )


def create_source_tables(
    con: duckdb.DuckDBPyConnection, definition: SourceDefinition, suffix: str = ""
) -> None:
    """Create the tables a source's records land in (``suffix``: under another name), if missing."""
    raw = qualified(RAW_SCHEMA, definition.name + suffix)
    compressed = {VALUE: "zstd"} if _stores_zstd_text(con) else {}
    execute_ddl(
        con, f"CREATE TABLE IF NOT EXISTS {raw} ({_column_list(landing_columns(definition), compressed)})"
    )
    if definition.kind == "TABLE":
        latest = qualified(LATEST_SCHEMA, definition.name + suffix)
        execute_ddl(con, f"CREATE TABLE IF NOT EXISTS {latest} ({_column_list(latest_columns(definition))})")
    if not suffix:
        create_commit_fence(con, definition.name)


def replace_source_tables(
    con: duckdb.DuckDBPyConnection, definition: SourceDefinition, fill: str, latest: str | None
) -> None:
    """Swap the source's tables for new ones filled by the SELECTs ``fill`` (landing rows, read
    while the old tables still exist) and ``latest`` (state rows, over the new landing table).

    Inside the caller's transaction: readers see the old tables or the new, never a mix.
    """
    staging = "__streamduck_new"
    create_source_tables(con, definition, staging)
    new_raw = qualified(RAW_SCHEMA, definition.name + staging)
    con.execute(f"INSERT INTO {new_raw} {fill}")
    con.execute(f"DROP TABLE IF EXISTS {raw_table(definition)}")
    con.execute(f"ALTER TABLE {new_raw} RENAME TO {quote_ident(definition.name)}")
    con.execute(f"DROP TABLE IF EXISTS {latest_table(definition)}")
    if definition.kind == "TABLE" and latest is not None:
        new_latest = qualified(LATEST_SCHEMA, definition.name + staging)
        con.execute(f"INSERT INTO {new_latest} {latest}")
        con.execute(f"ALTER TABLE {new_latest} RENAME TO {quote_ident(definition.name)}")


def landing_recipe(con: duckdb.DuckDBPyConnection, definition: SourceDefinition) -> str | None:
    """The recipe the source's landing table was built with (None: not built by this layout)."""
    row = con.execute(
        f"SELECT recipe FROM {INTERNAL_SCHEMA}.landings WHERE stream = ?", [definition.name]
    ).fetchone()
    return None if row is None else str(row[0])


def record_landing_recipe(con: duckdb.DuckDBPyConnection, definition: SourceDefinition, recipe: str) -> None:
    con.execute(f"DELETE FROM {INTERNAL_SCHEMA}.landings WHERE stream = ?", [definition.name])
    con.execute(
        f"INSERT INTO {INTERNAL_SCHEMA}.landings VALUES (?, ?, now()::TIMESTAMP)", [definition.name, recipe]
    )


def _column_list(columns: list[tuple[str, str]], compressed: dict[str, str] | None = None) -> str:
    compressed = compressed or {}
    return ", ".join(
        f"{quote_ident(name)} {kind}"
        + (f" USING COMPRESSION {compressed[name]}" if name in compressed else "")
        for name, kind in columns
    )


def _stores_zstd_text(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database being written is a DuckDB file whose storage format compresses text with
    zstd: files created by streamduck since the kept bytes are zstd-compressed are (see
    :data:`~streamduck.warehouse.connection.STORAGE_VERSION`); older files, read by DuckDB's
    default format, would store a zstd column uncompressed, and a DuckLake has formats of its own.

    zstd on the kept bytes: 1M fake people's JSON takes ~110 MiB instead of ~190 MiB (DuckDB's own
    choice, FSST), and costs less CPU to write (figures in docs/loader.md).
    """
    row = con.execute(
        "SELECT type, tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    if row is None or row[0] != "duckdb" or not row[1]:
        return False
    major, minor = (int(part) for part in row[1].lstrip("v").split(".")[:2])
    return (major, minor) >= (1, 2)


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
