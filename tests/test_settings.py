from __future__ import annotations

from pathlib import Path

import pytest

from streamduck.errors import ConfigError
from streamduck.settings import Settings


def test_environment_overrides_defaults_and_flags_override_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STREAMDUCK_BOOTSTRAP_SERVERS", "envhost:1")
    monkeypatch.setenv("STREAMDUCK_WAREHOUSE", "/tmp/env.duckdb")
    assert Settings().bootstrap_servers == "envhost:1"
    flagged = Settings(bootstrap_servers="flaghost:2")
    assert flagged.bootstrap_servers == "flaghost:2"
    assert flagged.warehouse == "/tmp/env.duckdb"


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("STREAMDUCK_BOOTSTRAP_SERVERS", "STREAMDUCK_WAREHOUSE", "STREAMDUCK_SQL_DIR"):
        monkeypatch.delenv(key, raising=False)
    s = Settings()
    assert s.bootstrap_servers == "localhost:9092"
    assert s.sql_dir == Path("sql")
    assert s.streams_dir == Path("sql/streams")


def test_secrets_never_print_but_reach_the_client() -> None:
    s = Settings(
        security_protocol="SASL_SSL",
        sasl_mechanism="PLAIN",
        sasl_username="u",
        sasl_password="hunter2-sentinel",
    )
    assert "hunter2-sentinel" not in repr(s)
    assert "hunter2-sentinel" not in str(s.model_dump())
    config = s.kafka_config()
    assert config["sasl_plain_password"] == "hunter2-sentinel"
    assert config["security_protocol"] == "SASL_SSL"
    assert config["bootstrap_servers"] == ["localhost:9092"]


def test_airflow_connection_extra() -> None:
    s = Settings.from_connection_extra({"bootstrap.servers": "kafka:19092", "group.id": "ignored"})
    assert s.bootstrap_servers == "kafka:19092"
    with pytest.raises(ConfigError, match="bootstrap.servers"):
        Settings.from_connection_extra({})
