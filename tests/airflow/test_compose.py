"""docker-compose.yml without Docker: the Compose Specification schema, its structure, its env, and
every streamduck service's command run here against the embedded broker (with the compose paths
mapped to a temporary project).

``compose_spec.json`` is the Compose Specification JSON schema as shipped in the ``docker-compose``
1.29.2 wheel on PyPI (``compose/config/compose_spec.json``, Apache-2.0), kept here so the test needs
no network.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from streamduck.settings import Settings
from tests.conftest import REPO_ROOT, STREAMDUCK_BIN

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
AIRFLOW_SERVICES = ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer")
STREAMDUCK_SERVICES = [name for name, s in SERVICES.items() if s.get("entrypoint") == ["streamduck"]]
CONTAINER_ROOT = "/opt/streamduck"


def test_file_is_valid_against_the_compose_specification() -> None:
    import jsonschema

    schema = json.loads((Path(__file__).parent / "compose_spec.json").read_text())
    validator = jsonschema.Draft201909Validator(schema)
    assert [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(COMPOSE)] == []
    broken = {"services": {"loader": {"image": "x", "depends_on": {"kafka": {"condition": "whenever"}}}}}
    assert list(validator.iter_errors(broken))  # the schema really checks what we rely on


def test_services_follow_the_official_airflow_structure() -> None:
    assert {"kafka", "kafka-ui", "postgres", "airflow-init", *AIRFLOW_SERVICES, "loader", "producer"} <= set(
        SERVICES
    )
    for name in ("kafka", "postgres", "kafka-ui", *AIRFLOW_SERVICES):
        assert "healthcheck" in SERVICES[name], name
    for name in AIRFLOW_SERVICES:
        depends = SERVICES[name]["depends_on"]
        assert depends["airflow-init"]["condition"] == "service_completed_successfully"
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["kafka"]["condition"] == "service_healthy"
        assert SERVICES[name]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    for service in SERVICES.values():
        for dependency in (service.get("depends_on") or {}).values():
            assert dependency["condition"] in {
                "service_started",
                "service_healthy",
                "service_completed_successfully",
            }
    assert SERVICES["kafka"]["image"].startswith("apache/kafka:")
    assert SERVICES["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "8081:8080" in SERVICES["kafka-ui"]["ports"]
    assert {SERVICES["ksqldb-server"]["profiles"][0], SERVICES["ksqldb-cli"]["profiles"][0]} == {"ksqldb"}


def test_image_is_built_from_airflow_3_3_with_exactly_the_locked_environment() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert dockerfile.splitlines()[2] == "FROM apache/airflow:3.3.2-python3.12"
    assert SERVICES["airflow-scheduler"]["build"] == "."
    for folder in ("src", "dags", "plugins", "sql", "producers"):
        assert f"COPY --chown=airflow:0 {folder} " in dockerfile
    # The lock, exported with hashes, installed without resolving anything anew.
    assert "COPY --chown=airflow:0 pyproject.toml uv.lock README.md ./" in dockerfile
    assert "uv export --frozen --no-dev --no-emit-project" in dockerfile
    assert "pip install --no-cache-dir --require-hashes --no-deps -r /tmp/locked.txt" in dockerfile
    assert "pip install --no-cache-dir --no-deps ." in dockerfile
    # The image's Airflow is the locked one, so installing the lock changes nothing of Airflow.
    lock = (REPO_ROOT / "uv.lock").read_text()
    assert '[[package]]\nname = "apache-airflow"\nversion = "3.3.2"' in lock


def test_kafka_keeps_its_data_in_a_volume() -> None:
    kafka = SERVICES["kafka"]
    assert f"kafka-data:{kafka['environment']['KAFKA_LOG_DIRS']}" in kafka["volumes"]
    assert "kafka-data" in COMPOSE["volumes"]


def test_ksqldb_server_and_cli_share_one_version() -> None:
    server, cli = SERVICES["ksqldb-server"]["image"], SERVICES["ksqldb-cli"]["image"]
    assert server.split(":", 1)[1] == cli.split(":", 1)[1], (server, cli)


def test_loader_and_producer_have_health_checks_and_the_producer_stops_after_its_count() -> None:
    for name in ("loader", "producer"):
        test = SERVICES[name]["healthcheck"]["test"]
        assert test[0] == "CMD" and test[1] == "streamduck", name
        done = subprocess.run(
            [STREAMDUCK_BIN, *test[2:], "--help"], capture_output=True, text=True, timeout=30
        )
        assert done.returncode == 0, done.stderr
    assert SERVICES["producer"]["restart"] == "on-failure"
    assert "--count" in SERVICES["producer"]["command"]
    assert SERVICES["loader"]["restart"] == "unless-stopped"


def test_warehouse_is_a_ducklake_in_postgres_with_data_in_a_volume() -> None:
    location = SERVICES["loader"]["environment"]["STREAMDUCK_WAREHOUSE"]
    backend = Settings(warehouse=location).backend
    assert backend.on_postgres and "password" not in location  # the password comes from PGPASSWORD
    params = dict(pair.split("=", 1) for pair in location.removeprefix("ducklake:postgres:").split())
    assert params["host"] == "postgres" and params["dbname"] == "lake"
    # The postgres image creates the database and its owner on first start, from this file.
    init = next(v for v in SERVICES["postgres"]["volumes"] if "docker-entrypoint-initdb.d" in v)
    script = (REPO_ROOT / init.split(":")[0]).read_text()
    password = SERVICES["loader"]["environment"]["PGPASSWORD"]
    assert f"CREATE ROLE {params['user']} LOGIN PASSWORD '{password}';" in script
    assert f"CREATE DATABASE {params['dbname']} OWNER {params['user']};" in script
    assert "lake-data" in COMPOSE["volumes"]


def test_continuous_loader_and_airflow_tasks_write_the_same_ducklake_without_a_pool() -> None:
    from streamduck.airflow.project import writer_pool

    writers = [*STREAMDUCK_SERVICES, "airflow-scheduler", "airflow-init"]
    data_path = SERVICES["loader"]["environment"]["STREAMDUCK_DATA_PATH"]
    for name in writers:
        env = SERVICES[name]["environment"]
        assert env["STREAMDUCK_WAREHOUSE"] == SERVICES["loader"]["environment"]["STREAMDUCK_WAREHOUSE"], name
        assert env["STREAMDUCK_DATA_PATH"] == data_path, name
        assert f"lake-data:{data_path.rstrip('/')}" in SERVICES[name]["volumes"], name
    settings = Settings(warehouse=SERVICES["airflow-scheduler"]["environment"]["STREAMDUCK_WAREHOUSE"])
    assert writer_pool(settings) is None  # Airflow's tasks run beside the loader, not in turns


def test_env_is_consistent_across_services() -> None:
    airflow_env = SERVICES["airflow-scheduler"]["environment"]
    connection = json.loads(airflow_env["AIRFLOW_CONN_KAFKA_DEFAULT"])
    bootstrap = connection["extra"]["bootstrap.servers"]
    assert f"PLAINTEXT://{bootstrap}" in SERVICES["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    known_fields = {f"STREAMDUCK_{name.upper()}" for name in Settings.model_fields} | {"STREAMDUCK_LOG_LEVEL"}
    for name in [*STREAMDUCK_SERVICES, "airflow-scheduler"]:
        env = {k: v for k, v in SERVICES[name]["environment"].items() if k.startswith("STREAMDUCK_")}
        assert set(env) <= known_fields, name
        assert env["STREAMDUCK_BOOTSTRAP_SERVERS"] == bootstrap, name
        assert f"./sql:{CONTAINER_ROOT}/sql" in SERVICES[name]["volumes"], name


@pytest.mark.parametrize("service", STREAMDUCK_SERVICES)
def test_service_command_exists_in_our_cli(service: str) -> None:
    command = SERVICES[service]["command"]
    words = [
        w for w in command[: next((i for i, w in enumerate(command) if w.startswith("-")), len(command))]
    ]
    done = subprocess.run([STREAMDUCK_BIN, *words, "--help"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


def _service_run(service: str, project: Path, env: dict[str, str], **replace: str) -> list[str]:
    """The service's command with container paths mapped into ``project`` and options replaced."""
    command = [w.replace(CONTAINER_ROOT, str(project)) for w in SERVICES[service]["command"]]
    for option, value in replace.items():
        command[command.index(option) + 1] = value
    return [STREAMDUCK_BIN, *command]


@pytest.mark.slow
def test_streamduck_services_run_here_against_the_embedded_broker(
    lake_settings: Settings, tmp_path: Path
) -> None:
    """The services' commands, with the compose DuckLake replaced by one on the test PostgreSQL."""
    project = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "sql", project / "sql")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMDUCK_")}
    for key, value in SERVICES["loader"]["environment"].items():
        env[key] = str(value).replace(CONTAINER_ROOT, str(project))
    env.pop("PGPASSWORD")
    env["STREAMDUCK_WAREHOUSE"] = str(lake_settings.warehouse)
    env["STREAMDUCK_BOOTSTRAP_SERVERS"] = lake_settings.bootstrap_servers
    env["STREAMDUCK_PRODUCERS_DIR"] = str(REPO_ROOT / "producers")
    settings = lake_settings.model_copy(update={"data_path": env["STREAMDUCK_DATA_PATH"]})

    provision = subprocess.run(
        _service_run("provision", project, env), env=env, capture_output=True, text=True, timeout=60
    )
    assert provision.returncode == 0, provision.stderr
    produce = subprocess.run(
        _service_run("producer", project, env, **{"--count": "200", "--rate": "0"}),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert produce.returncode == 0, produce.stderr

    loader = subprocess.Popen(
        _service_run("loader", project, env), env=env, stderr=subprocess.PIPE, text=True
    )
    deadline, loaded = time.monotonic() + 60, 0
    while time.monotonic() < deadline and loaded < 150:
        time.sleep(2)
        con = settings.backend.connect(read_only=True)
        loaded = con.execute("SELECT count(*) FROM raw.fake_people").fetchone()[0]
        con.close()
    health = subprocess.run(
        [STREAMDUCK_BIN, *SERVICES["loader"]["healthcheck"]["test"][2:]],
        env=env,
        capture_output=True,
        text=True,
    )
    assert health.returncode == 0, health.stderr
    loader.send_signal(signal.SIGTERM)
    stderr = loader.communicate(timeout=60)[1]
    assert loader.returncode == 0, stderr[-3000:]
    assert loaded >= 150  # 200 records, a few of them bad (dead letters)
