"""Every DAG file imports cleanly, fast, offline, with tags, retries, docs and the writer pool."""

from __future__ import annotations

import json

import pytest

PROBE = r"""
import json, time
from airflow.dag_processing.dagbag import DagBag
started = time.perf_counter()
bag = DagBag(dag_folder="dags")
elapsed = time.perf_counter() - started
print(json.dumps({
    "import_errors": {k: str(v) for k, v in bag.import_errors.items()},
    "seconds": elapsed,
    "dags": {
        dag_id: {
            "tags": sorted(dag.tags),
            "doc_md": bool(dag.doc_md),
            "tasks": {t.task_id: {"retries": t.retries, "pool": t.pool, "outlets": [a.uri for a in t.outlets],
                                  "upstream": sorted(t.upstream_task_ids)}
                      for t in dag.tasks},
            "schedule": type(dag.timetable).__name__,
        }
        for dag_id, dag in bag.dags.items()
    },
}))
"""

WRITERS = {"streamduck_load", "streamduck_views", "streamduck_checks", "streamduck_maintain"}
NOT_WRITING = {("streamduck_load", "provision_topics")}  # talks to the broker only


@pytest.fixture(scope="module")
def dagbag(airflow_home) -> dict:
    """What Airflow's DagBag sees in ``dags/``, probed in a subprocess."""
    return _probe(airflow_home)


@pytest.fixture(scope="module")
def lake_dagbag(airflow_home) -> dict:
    """The same with the warehouse a DuckLake whose PostgreSQL nobody listens on: no catalog access."""
    return _probe(airflow_home, STREAMDUCK_WAREHOUSE="ducklake:postgres:dbname=lake host=127.0.0.1 port=1")


def _probe(airflow_home, **extra_env: str) -> dict:
    import subprocess
    import sys

    from tests.airflow.conftest import airflow_env
    from tests.conftest import REPO_ROOT

    # A broker address nobody listens on: parsing must not need one.
    env = airflow_env(airflow_home)
    env["AIRFLOW_CONN_KAFKA_DEFAULT"] = json.dumps(
        {"conn_type": "kafka", "extra": {"bootstrap.servers": "127.0.0.1:1"}}
    )
    env.update(extra_env)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_no_import_errors_and_fast_parse(dagbag: dict) -> None:
    assert dagbag["import_errors"] == {}
    assert set(dagbag["dags"]) == {
        "streamduck_provision",
        "streamduck_load",
        "streamduck_views",
        "streamduck_checks",
        "streamduck_fake_data",
        "streamduck_maintain",
    }
    assert dagbag["seconds"] < 2.0


def test_tags_docs_and_retries(dagbag: dict) -> None:
    for dag_id, dag in dagbag["dags"].items():
        assert "streamduck" in dag["tags"], dag_id
        assert dag["doc_md"], dag_id
        for task_id, task in dag["tasks"].items():
            assert task["retries"] >= 1, f"{dag_id}.{task_id}"


def test_warehouse_writers_share_the_one_slot_pool(dagbag: dict) -> None:
    for dag_id in WRITERS:
        for task_id, task in dagbag["dags"][dag_id]["tasks"].items():
            if (dag_id, task_id) not in NOT_WRITING:
                assert task["pool"] == "streamduck_warehouse", f"{dag_id}.{task_id}"


def test_on_a_ducklake_writers_need_no_pool_and_assets_name_the_lake(lake_dagbag: dict) -> None:
    assert lake_dagbag["import_errors"] == {}
    for dag_id in WRITERS:
        for task_id, task in lake_dagbag["dags"][dag_id]["tasks"].items():
            if (dag_id, task_id) not in NOT_WRITING:
                assert task["pool"] == "default_pool", f"{dag_id}.{task_id}"
    outlets = lake_dagbag["dags"]["streamduck_load"]["tasks"]["load_fake_people"]["outlets"]
    assert outlets == ["ducklake://127.0.0.1:1/lake/raw.fake_people"]


def test_one_load_task_per_source_stream_with_its_asset(dagbag: dict) -> None:
    tasks = dagbag["dags"]["streamduck_load"]["tasks"]
    assert tasks["load_fake_people"]["outlets"] == ["duckdb://warehouse.duckdb/raw.fake_people"]
    assert tasks["load_my_stream"]["outlets"] == ["duckdb://warehouse.duckdb/raw.my_stream"]
    assert dagbag["dags"]["streamduck_checks"]["schedule"] == "AssetTriggeredTimetable"


def test_loads_run_after_provisioning_and_provisioning_is_not_once(dagbag: dict) -> None:
    tasks = dagbag["dags"]["streamduck_load"]["tasks"]
    loads = [task_id for task_id in tasks if task_id.startswith("load_")]
    assert loads and all(tasks[t]["upstream"] == ["provision_topics"] for t in loads)
    # An @once run is remembered in the Airflow home and never repeats on a new broker.
    assert dagbag["dags"]["streamduck_provision"]["schedule"] == "NullTimetable"
