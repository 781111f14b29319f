"""Choosing and opening the warehouse backend: the DuckDB file or DuckLake (PostgreSQL or local catalog)."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from streamduck.errors import ConfigError, WarehouseIncompatible
from streamduck.settings import Settings
from streamduck.warehouse.backend import DuckDBFile, DuckLake, mask_password
from streamduck.warehouse.extensions import OFFLINE_CONFIG, extension_path, load_extension
from streamduck.warehouse.local_postgres import LocalPostgres
from tests.conftest import STREAMDUCK_BIN, env_for

DUCKDB_2_FILE = Path(__file__).parent / "fixtures" / "written-by-duckdb-2.0.1.duckdb.gz"
"""A real (tiny) warehouse file written by DuckDB 2.0.1: one table ``t`` with one row."""
SENTINEL = "s3cret-Sentinel-pw"


def test_a_path_is_the_duckdb_file_backend() -> None:
    backend = Settings(warehouse=Path("data/w.duckdb")).backend
    assert backend == DuckDBFile(Path("data/w.duckdb"))
    assert backend.single_writer


def test_ducklake_locations_parse_and_mask_the_password() -> None:
    settings = Settings(
        warehouse=f"ducklake:postgres:dbname=lake host=db port=5433 user=sd password='{SENTINEL} x'",
        data_path="/data/lake",
    )
    backend = settings.backend
    assert isinstance(backend, DuckLake)
    assert backend.catalog == "postgres:dbname=lake host=db port=5433 user=sd"
    assert backend.password == f"{SENTINEL} x"
    assert not backend.single_writer
    assert SENTINEL not in backend.location and SENTINEL not in repr(backend)
    assert SENTINEL not in repr(settings) and SENTINEL not in str(settings.model_dump())
    assert backend.asset_uri("raw", "people") == "ducklake://db:5433/lake/raw.people"
    local = Settings(warehouse="ducklake:data/meta.ducklake").backend
    assert local == DuckLake("data/meta.ducklake") and local.single_writer
    assert mask_password("a password=x b") == "a password=********** b"


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("ducklake:postgres:host=db user=sd", "needs dbname="),
        ("ducklake:postgres:postgresql://sd:pw@db/lake", "not a URI"),
        (f"ducklake:postgres:dbname=lake {SENTINEL}", "key=value pairs"),
        ("ducklake:sqlite:meta.sqlite", "'sqlite' is not supported"),
        ("ducklake:", "catalog missing"),
    ],
)
def test_bad_ducklake_locations_are_refused_in_one_line(location: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        _ = Settings(warehouse=location).backend
    assert "\n" not in str(caught.value) and SENTINEL not in str(caught.value)


def test_extensions_load_by_path_from_their_wheels_without_network() -> None:
    con = duckdb.connect(config=OFFLINE_CONFIG)
    for name in ("ducklake", "postgres_scanner"):
        path = extension_path(name)
        assert path.parts[-2] == f"v{duckdb.__version__}" and path.exists()
        load_extension(con, name)
    loaded = dict(
        con.execute(
            "SELECT extension_name, loaded FROM duckdb_extensions() "
            "WHERE extension_name IN ('ducklake', 'postgres_scanner')"
        ).fetchall()
    )
    assert loaded == {"ducklake": True, "postgres_scanner": True}
    # Autoloading is off: an extension nobody loaded fails at once instead of being downloaded.
    with pytest.raises(duckdb.Error):
        con.execute("SELECT * FROM read_xlsx('nothing.xlsx')")


def test_a_duckdb_2_file_is_refused_with_one_clear_line(tmp_path: Path, cli) -> None:
    path = tmp_path / "from-the-future.duckdb"
    with gzip.open(DUCKDB_2_FILE) as source, path.open("wb") as target:
        shutil.copyfileobj(source, target)
    with pytest.raises(WarehouseIncompatible, match=r"written by DuckDB v2\.0\.1 \(storage version 999\)"):
        Settings(warehouse=path).backend.connect(read_only=True)
    result = cli("--warehouse", str(path), "sql", "SELECT * FROM t")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DuckDB v2.0.1" in lines[0] and "EXPORT DATABASE" in lines[0], result.stderr
    assert path.read_bytes()[12:20] == (999).to_bytes(8, "little")  # refused, not rewritten


def test_a_local_ducklake_catalog_holds_data_under_the_data_path(tmp_path: Path) -> None:
    settings = Settings(warehouse=f"ducklake:{tmp_path / 'meta.ducklake'}", data_path=str(tmp_path / "files"))
    con = settings.backend.connect()
    con.execute("CREATE TABLE t AS SELECT range AS n FROM range(1000)")
    con.close()
    assert list((tmp_path / "files").rglob("*.parquet")), "rows land in Parquet files under the data path"
    reader = settings.backend.connect(read_only=True)
    assert reader.execute("SELECT sum(n) FROM t").fetchone() == (499500,)
    with pytest.raises(duckdb.Error):
        reader.execute("INSERT INTO t VALUES (1)")


def test_postgres_catalog_password_never_reaches_output(broker, tmp_path: Path) -> None:
    (tmp_path / "sql" / "streams").mkdir(parents=True)
    with LocalPostgres(databases=(), password=SENTINEL) as server:
        settings = Settings(
            bootstrap_servers=broker.bootstrap_servers,
            warehouse=f"ducklake:postgres:{server.create_database('lake')}",
            data_path=str(tmp_path / "files"),
            sql_dir=tmp_path / "sql",
        )
        con = settings.backend.connect()
        con.execute("CREATE TABLE t AS SELECT 42 AS answer")
        con.close()
        env = env_for(settings)
        queries = (
            "SELECT * FROM t",
            "SELECT * FROM duckdb_databases()",
            "SELECT * FROM duckdb_secrets()",
            "SELECT * FROM duckdb_settings()",
        )
        for query in queries:
            run = subprocess.run(
                [STREAMDUCK_BIN, "--log-level", "DEBUG", "sql", query, "--format", "jsonl"],
                env=env, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert run.returncode == 0, run.stderr
            assert SENTINEL not in run.stdout + run.stderr
        assert '"answer":42' in subprocess.run(
            [STREAMDUCK_BIN, "sql", "SELECT * FROM t", "--format", "jsonl"],
            env=env,
            capture_output=True,
            text=True,
        ).stdout.replace(" ", "")
        env["STREAMDUCK_WAREHOUSE"] = env["STREAMDUCK_WAREHOUSE"].replace(SENTINEL, SENTINEL + "-wrong")
        wrong = subprocess.run(
            [STREAMDUCK_BIN, "--log-level", "DEBUG", "sql", "SELECT 1"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert wrong.returncode == 1
        assert "password authentication failed" in wrong.stderr and SENTINEL not in wrong.stderr
