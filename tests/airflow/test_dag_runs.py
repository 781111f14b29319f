"""The DAGs end to end with ``dag.test()`` against the embedded broker: provision → generate → load →
views → checks, asset events with offset ranges, and a check that fails on bad data."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from streamduck.produce import generate
from streamduck.settings import Settings
from tests.conftest import REPO_ROOT

RUNNER = r"""
import json, runpy, sys
from airflow.models.asset import AssetEvent
from airflow.utils.session import create_session

results, run_ids = [], []
for dag_file, conf in json.loads(sys.argv[1]):
    dag = runpy.run_path(dag_file)["dag_object"]
    run = dag.test(run_conf=conf)
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    results.append({"dag": dag.dag_id, "state": str(run.state), "tasks": states})
    run_ids.append(run.run_id)
with create_session() as session:  # the metadata DB is the session's: only these runs' events
    mine = session.query(AssetEvent).filter(AssetEvent.source_run_id.in_(run_ids)).order_by(AssetEvent.id)
    events = [{"uri": e.asset.uri, "extra": e.extra} for e in mine]
print("RESULT " + json.dumps({"runs": results, "events": events}))
"""


def _run_dags(run_python, settings: Settings, *dags: tuple[str, dict]) -> dict:
    plan = json.dumps([[str(REPO_ROOT / "dags" / f"{name}.py"), conf] for name, conf in dags])
    done = run_python("-c", RUNNER, plan, settings=settings, timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, done.stdout[-3000:] + done.stderr[-5000:]
    return {**json.loads(lines[-1][len("RESULT ") :]), "output": done.stdout + done.stderr}


@pytest.fixture
def project_settings(settings: Settings) -> Settings:
    """The session broker without the project's topics (other tests produce into them), a fresh
    warehouse, and a copy of the project's sql/streams."""
    from streamduck.kafka.admin import delete_topic, list_topics
    from streamduck.project import Project

    shutil.copytree(REPO_ROOT / "sql" / "streams", settings.streams_dir, dirs_exist_ok=True)
    declared = {source.topic for source in Project(settings).declared_streams}
    for topic in declared & set(list_topics(settings)):
        delete_topic(settings, topic)
    return settings


@pytest.mark.slow
def test_pipeline_end_to_end_emits_assets_and_checks_fail_on_bad_data(run_python, project_settings) -> None:
    result = _run_dags(
        run_python,
        project_settings,
        ("streamduck_provision", {}),
        ("streamduck_fake_data", {"count": 300, "bad_ratio": 0.1, "rate": 0, "stream": "fake_people"}),
        ("streamduck_load", {}),
        ("streamduck_load", {}),  # a re-run loads nothing new and changes nothing
        ("streamduck_views", {}),
        ("streamduck_checks", {}),
    )
    runs = {(i, r["dag"]): r for i, r in enumerate(result["runs"])}
    states = [r["state"] for r in result["runs"]]
    assert states[:5] == ["success"] * 5, runs
    # 10% bad records include null keys: the key-not-null default expectation fails the checks task.
    assert states[5] == "failed"
    # Its log: no GX import chatter, the readable summary once (not again inside tracebacks).
    output = result["output"]
    assert "Skipping registering function" not in output
    assert output.count("FAKE_PEOPLE: FAILED") == 1, output[-5000:]
    assert "expect_column_values_to_not_be_null(ID)" in output

    loads = [e for e in result["events"] if e["uri"] == "duckdb://warehouse.duckdb/raw.fake_people"]
    assert len(loads) == 2
    first, again = loads[0]["extra"], loads[1]["extra"]
    assert first["rows"] + first["dead_letters"] == 300
    assert sorted(first["ranges"]) == ["0", "1", "2"]
    assert first["summary"].startswith(
        f"{first['rows']} rows, {first['dead_letters']} dead letters from fake_people"
    )
    assert again["rows"] == 0 and again["ranges"] == {}
    assert again["summary"].endswith("(nothing new)")

    con = duckdb.connect(str(project_settings.warehouse), read_only=True)
    rows = con.execute("SELECT count(*) FROM fake_people").fetchone()[0]
    failed = con.execute(
        "SELECT expectation, column_name FROM _streamduck.check_results WHERE NOT success AND stream = 'FAKE_PEOPLE'"
    ).fetchall()
    con.close()
    assert rows == first["rows"]
    assert ("expect_column_values_to_not_be_null", "ID") in failed


ORDERS_GENERATOR = """
KEY = "order_id"
DEFAULT_TOPIC = "orders"


def generate(fake, index, now):
    return {"order_id": f"o-{index}", "sku": fake.bothify("SKU-####"), "quantity": fake.random_int(1, 9)}
"""


@pytest.mark.slow
def test_loads_provision_first_and_fake_data_uses_the_streams_generator(
    run_python, settings: Settings, topic_name: str, tmp_path
) -> None:
    """A fresh broker (no provisioning run, as after a restart of `streamduck airflow`): the load DAG
    creates the declared topic itself; the fake-data DAG feeds a stream with its own generator."""
    from streamduck.kafka.admin import describe_topic, list_topics
    from tests.kafka.test_console import _read_all

    (settings.streams_dir / "orders.sql").write_text(
        f"CREATE STREAM orders (order_id STRING KEY, sku STRING, quantity INT) "
        f"WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=2);\n"
    )
    producers = tmp_path / "producers"
    producers.mkdir()
    shutil.copy(REPO_ROOT / "producers" / "people.py", producers / "people.py")
    (producers / "orders.py").write_text(ORDERS_GENERATOR)
    settings = settings.model_copy(update={"producers_dir": producers})
    assert topic_name not in list_topics(settings)

    result = _run_dags(
        run_python,
        settings,
        ("streamduck_load", {}),
        ("streamduck_fake_data", {"stream": "orders", "count": 20, "bad_ratio": 0, "rate": 0}),
        ("streamduck_load", {}),
    )
    assert [r["state"] for r in result["runs"]] == ["success"] * 3, result["runs"]
    assert describe_topic(settings, topic_name).partition_count == 2
    records = [json.loads(r.value) for r in _read_all(settings, topic_name, 20)]
    assert len(records) == 20 and all(set(r) == {"order_id", "sku", "quantity"} for r in records)
    loads = [e["extra"] for e in result["events"] if e["uri"] == "duckdb://warehouse.duckdb/raw.orders"]
    assert [e["rows"] for e in loads] == [0, 20]


@pytest.mark.slow
def test_airflow_tasks_and_a_follower_write_one_ducklake_at_once_exactly_once(
    run_python, lake_settings: Settings, topic_name: str
) -> None:
    """The compose stack's shape on DuckLake: a continuous loader follows while Airflow's load task (its
    own group, racing for the same records) and views task write the same lake, with no pool."""
    import signal

    from tests.conftest import env_for
    from tests.load.conftest import check_exactly_once, people_stream
    from tests.load.test_kill import start_follower

    people_stream(lake_settings, topic_name)
    # Fed in-process: the fake-data DAG has tests of its own, and each DAG process costs Airflow's import.
    people = lake_settings.model_copy(update={"producers_dir": REPO_ROOT / "producers"})
    assert (
        generate(people, "people", topic=topic_name, count=3000, seed=3, bad_ratio=0.02).acknowledged == 3000
    )
    follower = start_follower(env_for(lake_settings), "g-lake-follower")
    try:
        result = _run_dags(run_python, lake_settings, ("streamduck_load", {}), ("streamduck_views", {}))
        assert [r["state"] for r in result["runs"]] == ["success", "success"], result["output"][-3000:]
        assert follower.poll() is None, "the follower stopped while Airflow's tasks wrote"
    finally:
        follower.send_signal(signal.SIGTERM)
        assert follower.wait(timeout=60) == 0, follower.stderr.read() if follower.stderr else ""
    landed = check_exactly_once(lake_settings, "PEOPLE", topic_name)
    assert landed["produced"] == 3000 and landed["rows"] + landed["dead"] == 3000
