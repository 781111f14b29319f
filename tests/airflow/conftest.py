"""Airflow runs in subprocesses with their own AIRFLOW_HOME: Airflow reads its config at import time,
so an in-process import would leak one test's configuration into every other test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from streamduck.settings import Settings
from tests.conftest import REPO_ROOT


def airflow_env(home: Path, settings: Settings | None = None) -> dict[str, str]:
    """Environment for Airflow commands and ``dag.test()`` runs against ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "STREAMDUCK_"))}
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(REPO_ROOT / "dags"),
        AIRFLOW__CORE__PLUGINS_FOLDER=str(REPO_ROOT / "plugins"),
        AIRFLOW__CORE__UNIT_TEST_MODE="False",
    )
    if settings is not None:
        env.update(
            AIRFLOW_CONN_KAFKA_DEFAULT=json.dumps(
                {"conn_type": "kafka", "extra": {"bootstrap.servers": settings.bootstrap_servers}}
            ),
            STREAMDUCK_WAREHOUSE=str(settings.warehouse),
            STREAMDUCK_DATA_PATH=settings.data_path or "",
            STREAMDUCK_SQL_DIR=str(settings.sql_dir),
            STREAMDUCK_PRODUCERS_DIR=str(
                settings.producers_dir if settings.producers_dir.is_absolute() else REPO_ROOT / "producers"
            ),
        )
    return env


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An AIRFLOW_HOME with a migrated SQLite metadata DB and the warehouse pool."""
    home = tmp_path_factory.mktemp("airflow_home")
    env = airflow_env(home)
    airflow = str(Path(sys.executable).parent / "airflow")
    subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True, timeout=180)
    subprocess.run(
        [airflow, "pools", "set", "streamduck_warehouse", "1", "test"],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    return home


@pytest.fixture
def run_python(airflow_home: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run a Python snippet or script with Airflow configured for ``settings`` (or none)."""

    def run(
        *args: str, settings: Settings | None = None, timeout: float = 180
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            env=airflow_env(airflow_home, settings),
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run
