"""Fixtures for the producer tests: the repository's generators, topics made on the session broker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from streamduck.produce.registry import Generator, load_generator
from streamduck.settings import Settings
from tests.conftest import REPO_ROOT

PRODUCERS_DIR = REPO_ROOT / "producers"


@pytest.fixture(scope="session")
def people() -> Generator:
    """The shipped ``producers/people.py`` generator."""
    return load_generator(PRODUCERS_DIR, "people")


@pytest.fixture
def cli_env(cli_env: dict[str, str]) -> dict[str, str]:
    """The root ``cli_env``, pointing at the repository's ``producers/`` whatever the working directory."""
    cli_env["STREAMDUCK_PRODUCERS_DIR"] = str(PRODUCERS_DIR)
    return cli_env


@pytest.fixture
def make_topic(settings: Settings) -> Callable[..., str]:
    """Create a topic on the session broker (what `streamduck topics create` does) and return its name."""
    from streamduck.kafka.clients import admin_client

    def create(name: str, partitions: int = 3) -> str:
        with admin_client(settings) as admin:
            admin.create_topics({name: {"num_partitions": partitions, "replication_factor": 1}})
        return name

    return create


def write_generator(folder: Path, name: str, body: str) -> Path:
    """A generator file ``folder/<name>.py`` holding ``body``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(body)
    return path
