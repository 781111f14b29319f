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

import duckdb
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


def test_image_is_built_from_airflow_3_3_with_streamduck() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert dockerfile.splitlines()[2] == "FROM apache/airflow:3.3.2-python3.12"
    assert SERVICES["airflow-scheduler"]["build"] == "."
    for folder in ("src", "dags", "plugins", "sql", "producers"):
        assert f"COPY --chown=airflow:0 {folder} " in dockerfile


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
        assert env["STREAMDUCK_WAREHOUSE"] == f"{CONTAINER_ROOT}/data/warehouse.duckdb", name
        assert f"./data:{CONTAINER_ROOT}/data" in SERVICES[name]["volumes"], name
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
def test_streamduck_services_run_here_against_the_embedded_broker(settings: Settings, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "sql", project / "sql")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMDUCK_")}
    for key, value in SERVICES["loader"]["environment"].items():
        env[key] = str(value).replace(CONTAINER_ROOT, str(project))
    env["STREAMDUCK_BOOTSTRAP_SERVERS"] = settings.bootstrap_servers
    env["STREAMDUCK_PRODUCERS_DIR"] = str(REPO_ROOT / "producers")

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
    warehouse = project / "data" / "warehouse.duckdb"
    deadline, loaded = time.monotonic() + 60, 0
    while time.monotonic() < deadline and loaded < 150:
        time.sleep(2)
        try:
            con = duckdb.connect(str(warehouse), read_only=True)
            loaded = con.execute("SELECT count(*) FROM raw.fake_people").fetchone()[0]
            con.close()
        except duckdb.Error:  # the loader holds the write lock right now
            continue
    loader.send_signal(signal.SIGTERM)
    stderr = loader.communicate(timeout=60)[1]
    assert loader.returncode == 0, stderr[-3000:]
    assert loaded >= 150  # 200 records, a few of them bad (dead letters)
