"""The Project: definitions parsed once per invocation, one lookup of a stream by name."""

from __future__ import annotations

import pytest

from streamduck.errors import ConfigError
from streamduck.project import Project, find_streams
from streamduck.settings import Settings


def _project(tmp_path, *names: str) -> Project:
    streams = tmp_path / "sql" / "streams"
    streams.mkdir(parents=True)
    for name in names:
        (streams / f"{name}.sql").write_text(
            f"CREATE STREAM {name} (id STRING KEY, n INT) WITH (kafka_topic='{name}_topic', value_format='JSON');\n",
            encoding="utf-8",
        )
    return Project(
        Settings(bootstrap_servers="localhost:1", warehouse=tmp_path / "w.duckdb", sql_dir=tmp_path / "sql")
    )


def test_a_stream_is_found_case_insensitively_and_parsed_once(tmp_path, monkeypatch) -> None:
    from streamduck import ksql

    project = _project(tmp_path, "people", "orders")
    calls = []
    real = ksql.load_sources
    monkeypatch.setattr(ksql, "load_sources", lambda d: calls.append(d) or real(d))
    assert project.stream("People").topic == "people_topic"
    assert project.stream("ORDERS").topic == "orders_topic"
    assert len(calls) == 1


def test_an_unknown_stream_names_what_is_defined(tmp_path) -> None:
    project = _project(tmp_path, "people")
    with pytest.raises(ConfigError, match=r"no stream named ghosts in .*streams \(defined: PEOPLE\)"):
        project.stream("ghosts")


def test_find_streams_keeps_the_order_asked_for(tmp_path) -> None:
    declared = _project(tmp_path, "a", "b", "c").declared_streams
    assert [d.name for d in find_streams(declared, ["c", "A"], "here")] == ["C", "A"]
    with pytest.raises(ConfigError, match="no source stream named x, y in here"):
        find_streams(declared, ["x", "b", "y"], "here", what="source stream")
