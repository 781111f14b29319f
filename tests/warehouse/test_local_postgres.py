"""The throw-away PostgreSQL behind the DuckLake tests, and its persistent form for `airflow --ducklake`."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from streamduck.settings import Settings
from streamduck.warehouse.local_postgres import LocalPostgres


def test_a_persistent_catalog_keeps_the_ducklake_across_restarts() -> None:
    # Under /tmp, not pytest's 0700 tmp_path: the server runs as the `postgres` user when we are root.
    root = Path(tempfile.mkdtemp(prefix="streamduck-pg-test-"))
    root.chmod(0o755)
    try:
        catalog, data = root / "catalog", root / "lake"
        with LocalPostgres(data_dir=catalog) as server:
            settings = Settings(warehouse=f"ducklake:postgres:{server.libpq}", data_path=str(data))
            con = settings.backend.connect()
            con.execute("CREATE TABLE kept AS SELECT range AS n FROM range(1000)")
            con.close()
        assert (catalog / "PG_VERSION").exists(), "a persistent cluster survives stop()"
        with LocalPostgres(data_dir=catalog) as again:  # another free port, the same cluster and database
            settings = Settings(warehouse=f"ducklake:postgres:{again.libpq}")
            con = settings.backend.connect(read_only=True)
            assert con.execute("SELECT count(*), sum(n) FROM kept").fetchone() == (1000, 499500)
            con.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_a_throw_away_server_leaves_nothing_behind() -> None:
    server = LocalPostgres(databases=("one", "two")).start()
    folder = server.data_dir.parent
    assert folder.exists() and server.params("two").startswith("dbname=two host=127.0.0.1 port=")
    server.stop()
    assert not folder.exists()


def test_airflow_standalone_hands_a_ducklake_to_its_tasks(tmp_path: Path) -> None:
    """`streamduck airflow --ducklake`'s wiring: the DAGs' tasks get the lake and its data path."""
    from streamduck.airflow.standalone import AirflowStandalone

    (tmp_path / "dags").mkdir()
    lake = "ducklake:postgres:dbname=lake host=127.0.0.1 port=5999 user=postgres"
    env = AirflowStandalone(tmp_path, 8080, "b:9092", warehouse=lake, data_path="/srv/lake").environment()
    assert env["STREAMDUCK_WAREHOUSE"] == lake and env["STREAMDUCK_DATA_PATH"] == "/srv/lake"
    default = AirflowStandalone(tmp_path, 8080, "b:9092").environment()
    assert default["STREAMDUCK_WAREHOUSE"] == str(tmp_path.resolve() / "data" / "warehouse.duckdb")
    assert default.get("STREAMDUCK_DATA_PATH") == os.environ.get("STREAMDUCK_DATA_PATH")
