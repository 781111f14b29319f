"""Shared fixtures: a real embedded broker for the whole session, isolated settings per test."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from streamduck.broker import EmbeddedBroker
from streamduck.settings import Settings
from streamduck.warehouse.local_postgres import LocalPostgres

# The suite starts hundreds of Python processes (CLI commands, loaders it kills, Airflow tasks). Where
# the environment says PYTHONDONTWRITEBYTECODE (container images often do), each of them would compile
# every module it imports from source again: about 1 s of CPU apiece, most of a CLI command's start-up.
# The session writes the bytecode cache once instead, for itself and every process it starts.
if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
    sys.dont_write_bytecode = False

REPO_ROOT = Path(__file__).resolve().parent.parent
STREAMDUCK_BIN = str(Path(sys.executable).parent / "streamduck")


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    """The embedded Tansu broker on a free port; tests never skip for want of a broker."""
    log_file = tmp_path_factory.mktemp("broker") / "tansu.log"
    with EmbeddedBroker(log_file=log_file) as embedded:
        yield embedded


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    """A broker of this test's own: for a test that restarts it, or that must use one of the project's
    fixed topic names (other tests produce into the session broker's ``fake_people``)."""
    broker = EmbeddedBroker(log_file=tmp_path / "tansu.log").start()
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    """A real PostgreSQL server (initdb in a temp dir, free loopback port) for DuckLake catalogs.

    Never skips: without PostgreSQL's server binaries the fixture fails, naming what to install.
    """
    with LocalPostgres(databases=()) as server:
        yield server


@pytest.fixture
def lake_settings(postgres: LocalPostgres, broker: EmbeddedBroker, tmp_path: Path) -> Settings:
    """Settings on a fresh DuckLake: its own catalog database in ``postgres``, data under ``tmp_path``."""
    (tmp_path / "sql" / "streams").mkdir(parents=True)
    database = f"lake_{uuid.uuid4().hex[:12]}"
    return Settings(
        bootstrap_servers=broker.bootstrap_servers,
        warehouse=f"ducklake:postgres:{postgres.create_database(database)}",
        data_path=str(tmp_path / "lake-data"),
        sql_dir=tmp_path / "sql",
    )


@pytest.fixture
def settings(broker: EmbeddedBroker, tmp_path: Path) -> Settings:
    """Settings pointing at the session broker and a fresh warehouse and sql dir in ``tmp_path``."""
    (tmp_path / "sql" / "streams").mkdir(parents=True)
    return Settings(
        bootstrap_servers=broker.bootstrap_servers,
        warehouse=tmp_path / "warehouse.duckdb",
        sql_dir=tmp_path / "sql",
    )


def env_for(settings: Settings) -> dict[str, str]:
    """The environment that makes the CLI (in-process or a subprocess) use ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMDUCK_")}
    env.update(
        STREAMDUCK_BOOTSTRAP_SERVERS=settings.bootstrap_servers,
        STREAMDUCK_WAREHOUSE=str(settings.warehouse),
        STREAMDUCK_SQL_DIR=str(settings.sql_dir),
    )
    if settings.data_path:
        env["STREAMDUCK_DATA_PATH"] = settings.data_path
    return env


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    """Environment for running the CLI (in-process or as a subprocess) against ``settings``."""
    return env_for(settings)


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliResult]:
    """Run ``streamduck ARGS`` in-process (typer's runner); returns exit code, stdout, stderr."""
    from typer.testing import CliRunner

    from streamduck.cli import app

    for key in [k for k in os.environ if k.startswith("STREAMDUCK_")]:
        monkeypatch.delenv(key)

    def run(*args: str, input: str | bytes | None = None) -> CliResult:
        result = CliRunner().invoke(app, list(args), input=input, env=cli_env, catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def topic_name(request: pytest.FixtureRequest) -> str:
    """A topic name unique to this test (the session broker is shared)."""
    return f"{request.node.name[:40].strip('_')}-{uuid.uuid4().hex[:8]}".replace("[", "-").replace("]", "")
