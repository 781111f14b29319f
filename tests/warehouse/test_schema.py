"""The internal schema's version and migrations, on real DuckDB files.

``fixtures/unversioned.duckdb.gz`` was written by the released code before versions existed (see
``fixtures/make_unversioned.py``): two sources with rows, dead letters and drift, two derived views,
a check result.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from streamduck.errors import WarehouseTooNew
from streamduck.warehouse import schema
from streamduck.warehouse.connection import connect
from tests.conftest import STREAMDUCK_BIN

FIXTURE = Path(__file__).parent / "fixtures" / "unversioned.duckdb.gz"
INTERNAL_TABLES = {
    "check_results", "custom_types", "dead_letters", "definitions", "inserted_values", "landings", "load_history",
    "offsets",
    "schema_drift", "schema_version",
}  # fmt: skip


def _unversioned(tmp_path: Path) -> Path:
    path = tmp_path / "released.duckdb"
    with gzip.open(FIXTURE, "rb") as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


def _internal_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = '_streamduck'").fetchall()
    return {name for (name,) in rows}


def _versions(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [v for (v,) in con.execute("SELECT version FROM _streamduck.schema_version ORDER BY 1").fetchall()]


def test_a_new_warehouse_starts_at_the_current_version(tmp_path):
    con = connect(tmp_path / "new.duckdb")
    try:
        assert _internal_tables(con) == INTERNAL_TABLES
        assert _versions(con) == list(range(1, schema.SCHEMA_VERSION + 1))
        assert schema.schema_version(con) == schema.SCHEMA_VERSION
    finally:
        con.close()


def test_opening_a_current_warehouse_imports_no_pandas(tmp_path):
    """DuckDB imports pandas (~0.6 s) to bind any query parameter: opening the file must bind none,
    or every command that reads the warehouse (`sql`, `load`, ...) starts that much slower."""
    path = tmp_path / "w.duckdb"
    connect(path).close()
    code = (
        "import sys\n"
        "from streamduck.warehouse.connection import connect\n"
        f"connect({str(path)!r}).close()\n"
        f"connect({str(path)!r}, read_only=True).close()\n"
        "assert 'pandas' not in sys.modules, 'opening the warehouse imported pandas'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_released_warehouse_is_migrated_in_place_on_first_open(tmp_path):
    path = _unversioned(tmp_path)
    with duckdb.connect(str(path), read_only=True) as before:
        assert schema.schema_version(before) == 0
        people = before.execute("SELECT * FROM main.PEOPLE ORDER BY ROWPARTITION, ROWOFFSET").fetchall()
        accounts = before.execute("SELECT * FROM main.ACCOUNTS ORDER BY 1").fetchall()
        adults = before.execute("SELECT * FROM main.ADULTS ORDER BY ROWPARTITION, ROWOFFSET").fetchall()
        dead = before.execute("SELECT * FROM _streamduck.dead_letters ORDER BY ALL").fetchall()
        offsets = before.execute("SELECT * FROM _streamduck.offsets ORDER BY ALL").fetchall()

    con = connect(path)
    try:
        assert _versions(con) == list(range(1, schema.SCHEMA_VERSION + 1))
        assert _internal_tables(con) == INTERNAL_TABLES
        assert con.execute("SELECT * FROM main.PEOPLE ORDER BY ROWPARTITION, ROWOFFSET").fetchall() == people
        assert con.execute("SELECT * FROM main.ACCOUNTS ORDER BY 1").fetchall() == accounts
        assert con.execute("SELECT * FROM main.ADULTS ORDER BY ROWPARTITION, ROWOFFSET").fetchall() == adults
        assert con.execute("SELECT * FROM _streamduck.dead_letters ORDER BY ALL").fetchall() == dead
        # Columns added by later migrations come after the released ones (topic_id: unknown for old rows).
        migrated = con.execute("SELECT * FROM _streamduck.offsets ORDER BY ALL").fetchall()
        assert [row[: len(offsets[0])] for row in migrated] == offsets
        assert {row[len(offsets[0]) :] for row in migrated} == {(None,)}
        assert con.execute("SELECT count(*) FROM _streamduck.check_results").fetchone() == (1,)
        assert len(people) == 4 and len(accounts) == 2 and len(dead) == 4
        by_city = "SELECT * FROM main.PEOPLE_BY_CITY ORDER BY ALL"
        assert con.execute(by_city).fetchall() == [("London", 2), ("Paris", 1), (None, 1)]
        # the sources now land typed: the view reads typed columns, each record keeps its bytes
        typed = con.execute(
            "SELECT data_type FROM duckdb_columns() WHERE schema_name = 'raw' AND table_name = 'PEOPLE' "
            "AND column_name IN ('AGE', 'BORN', '__value') ORDER BY column_name"
        ).fetchall()
        assert typed == [("INTEGER",), ("DATE",), ("VARCHAR",)]
        kept = con.execute(
            'SELECT "__value" FROM raw.PEOPLE WHERE ROWPARTITION = 0 AND ROWOFFSET = 1'
        ).fetchone()
        assert json.loads(kept[0]) == {"NAME": "Alan", "age": 41, "born": "1912-06-23", "extra": 1}
        latest = con.execute("SELECT ID, BALANCE FROM latest.ACCOUNTS ORDER BY ID").fetchall()
        assert latest == [("a1", 12.25), ("a3", 7.0)]  # a2's tombstone deleted it
    finally:
        con.close()
    con = connect(path)  # a second open finds it current and changes nothing
    try:
        assert _versions(con) == list(range(1, schema.SCHEMA_VERSION + 1))
    finally:
        con.close()


def test_a_read_only_open_migrates_a_released_warehouse_first(tmp_path):
    path = _unversioned(tmp_path)
    con = connect(path, read_only=True)
    try:
        assert schema.schema_version(con) == schema.SCHEMA_VERSION
        assert con.execute("SELECT count(*) FROM main.PEOPLE").fetchone() == (4,)
    finally:
        con.close()


def test_a_failing_migration_leaves_the_file_at_its_old_version(tmp_path, monkeypatch):
    path = _unversioned(tmp_path)

    def broken(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("CREATE TABLE _streamduck.half_done (x INTEGER)")
        raise RuntimeError("migration failed halfway")

    step = schema.Migration(schema.SCHEMA_VERSION + 1, "a broken step", broken)
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, step))
    with pytest.raises(RuntimeError, match="halfway"):
        connect(path)
    with duckdb.connect(str(path), read_only=True) as con:
        assert schema.schema_version(con) == 0
        assert "half_done" not in _internal_tables(con)
        assert "schema_version" not in _internal_tables(con)


def _from_the_future(tmp_path: Path) -> Path:
    path = tmp_path / "future.duckdb"
    connect(path).close()
    with duckdb.connect(str(path)) as con:
        con.execute(
            "INSERT INTO _streamduck.schema_version VALUES (?, 'from a newer streamduck', now()::TIMESTAMP)",
            [schema.SCHEMA_VERSION + 1],
        )
    return path


@pytest.mark.parametrize("read_only", [False, True])
def test_a_newer_warehouse_is_refused(tmp_path, read_only):
    path = _from_the_future(tmp_path)
    with pytest.raises(WarehouseTooNew) as refused:
        connect(path, read_only=read_only)
    message = str(refused.value)
    assert "\n" not in message
    assert str(path) in message and f"version {schema.SCHEMA_VERSION + 1}" in message
    assert "upgrade streamduck" in message
    with duckdb.connect(str(path), read_only=True) as con:  # and nothing was written to it
        assert _versions(con) == [*range(1, schema.SCHEMA_VERSION + 1), schema.SCHEMA_VERSION + 1]


def test_the_cli_refuses_a_newer_warehouse_in_one_line(tmp_path):
    path = _from_the_future(tmp_path)
    run = subprocess.run(
        [STREAMDUCK_BIN, "--warehouse", str(path), "sql", "SELECT 1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "upgrade streamduck" in lines[0], run.stderr


def _value_compression(path: Path) -> tuple[str, set[str]]:
    """The file's storage version, and how the kept bytes of 20 000 JSON texts are stored."""
    from streamduck.ksql.model import Column, SourceDefinition
    from streamduck.warehouse.layout import ensure_source

    people = SourceDefinition(
        name="PEOPLE",
        kind="STREAM",
        topic="people",
        columns=(Column("ID", "STRING", "key"), Column("NAME", "STRING")),
    )
    con = connect(path)
    ensure_source(con, people)
    con.execute(
        """INSERT INTO raw."PEOPLE" ("__value")
        SELECT '{"name": "person ' || i || '", "job": "' || repeat('x', i % 50) || '"}' FROM range(20000) r(i)"""
    )
    con.execute("CHECKPOINT")
    (version,) = con.execute(
        "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    kinds = {
        kind
        for (kind,) in con.execute(
            """SELECT compression FROM pragma_storage_info('raw."PEOPLE"')
            WHERE column_name = '__value' AND segment_type = 'VARCHAR'"""
        ).fetchall()
    }
    con.close()
    return version, kinds


def test_a_new_warehouse_keeps_the_value_bytes_zstd_compressed(tmp_path):
    assert _value_compression(tmp_path / "new.duckdb") == ("v1.2.0+", {"ZSTD"})


def test_a_warehouse_file_in_the_older_format_keeps_it_and_never_stores_the_bytes_uncompressed(tmp_path):
    """zstd forced on DuckDB's default format would store the column uncompressed: not there."""
    path = tmp_path / "old.duckdb"
    duckdb.connect(str(path)).close()  # created by DuckDB's defaults, as streamduck did before
    version, kinds = _value_compression(path)
    assert version == "v1.0.0+" and kinds and "Uncompressed" not in kinds and "ZSTD" not in kinds
