"""End to end: the tutorial's statements verbatim (produce -> load -> query), and push queries."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

from streamduck.kafka.admin import create_topic
from streamduck.ksql.apply import apply_path
from streamduck.load import run_load
from streamduck.produce.runner import generate
from streamduck.warehouse.connection import connect
from tests.conftest import REPO_ROOT, STREAMDUCK_BIN
from tests.landing import land

TUTORIAL_CREATE = (
    "CREATE STREAM my_stream (id STRING, name STRING, title STRING) "
    "with (kafka_topic='fake_people', value_format='JSON');"
)


def test_tutorial_example_verbatim(cli, cli_env, settings, own_broker):
    # The tutorial reads the project's topic, fake_people, which other tests fill on the session
    # broker: on a broker of its own, every row is one of the 60 people produced here.
    settings = settings.model_copy(update={"bootstrap_servers": own_broker.bootstrap_servers})
    cli_env["STREAMDUCK_BOOTSTRAP_SERVERS"] = own_broker.bootstrap_servers  # what `cli` runs with
    repo_file = REPO_ROOT / "sql" / "streams" / "my_stream.sql"
    assert repo_file.read_text().strip() == TUTORIAL_CREATE
    (settings.streams_dir / "my_stream.sql").write_text(repo_file.read_text())
    create_topic(settings, "fake_people", 3, if_not_exists=True)

    applied = cli("ksql", "apply")
    assert applied.exit_code == 0, applied.stderr
    people_settings = settings.model_copy(update={"producers_dir": REPO_ROOT / "producers"})
    produced = generate(people_settings, "people", topic="fake_people", count=60, seed=11)
    assert produced.acknowledged == 60
    loaded = run_load(settings, group=f"tutorial-{uuid.uuid4().hex[:6]}")

    result = cli("sql", "SELECT * FROM my_stream;", "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == loaded.rows == 60
    assert all(list(row) == ["ID", "NAME", "TITLE"] for row in rows)
    assert {row["TITLE"] for row in rows} <= {"Mr", "Ms", "Mrs", "Miss", "Dr", "Prof"}
    assert all(row["ID"] and row["NAME"] for row in rows)


def _land(warehouse: Path, offset: int, key: str) -> None:
    con = connect(warehouse, wait_s=30)
    try:
        land(con, "EVENTS", [(0, offset, 1000 + offset, key.encode(), [], json.dumps({"n": offset}))])
    finally:
        con.close()


def _push_query(cli_env: dict[str, str], query: str, *args: str) -> subprocess.Popen:
    """``streamduck sql QUERY`` as a subprocess printing jsonl, polling every 100 ms."""
    command = [STREAMDUCK_BIN, "sql", query, *args, "--format", "jsonl", "--poll-ms", "100"]
    return subprocess.Popen(command, env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _read_lines(proc: subprocess.Popen, count: int, timeout_s: float) -> list[str]:
    """Up to ``count`` stdout lines within ``timeout_s`` (a reader thread: readline blocks)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    got: list[str] = []
    deadline = time.monotonic() + timeout_s
    while len(got) < count and time.monotonic() < deadline:
        try:
            got.append(lines.get(timeout=0.2))
        except queue.Empty:
            continue
    return got


def test_push_query_prints_new_rows_until_interrupted(settings, cli_env, topic_name):
    (settings.streams_dir / "events.sql").write_text(
        f"CREATE STREAM events (id STRING KEY, n INT) WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=1);"
    )
    apply_path(settings, settings.streams_dir)
    _land(settings.warehouse, 0, "before")
    proc = _push_query(cli_env, "SELECT id, n * 10 AS tens FROM events EMIT CHANGES")
    try:
        # The first poll marks where the query starts (like auto.offset.reset=latest); it says so.
        lines = iter(proc.stderr.readline, "")  # ends when the process does
        assert any(line.startswith("Press Ctrl-C") for line in lines), "the push query never started"
        _land(settings.warehouse, 1, "after-1")
        _land(settings.warehouse, 2, "after-2")
        lines = _read_lines(proc, 2, timeout_s=20)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    assert [json.loads(line) for line in lines] == [
        {"ID": "after-1", "TENS": 10},
        {"ID": "after-2", "TENS": 20},
    ]
    assert proc.returncode == 0  # Ctrl-C ends a push query normally
    assert "Traceback" not in proc.stderr.read()


def test_push_query_from_beginning_with_limit(settings, cli_env, topic_name):
    (settings.streams_dir / "events.sql").write_text(
        f"CREATE STREAM events (id STRING KEY, n INT) WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=1);"
    )
    apply_path(settings, settings.streams_dir)
    _land(settings.warehouse, 0, "old")
    proc = _push_query(cli_env, "SELECT * FROM events EMIT CHANGES LIMIT 1", "--from-beginning")
    try:
        lines = _read_lines(proc, 1, timeout_s=20)
        assert proc.wait(timeout=20) == 0  # LIMIT 1: ends by itself after one row
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
    assert [json.loads(line) for line in lines] == [{"ID": "old", "N": 0}]


def test_library_push_query_ends_after_its_limit(settings, topic_name):
    from streamduck.ksql.query import push_query

    (settings.streams_dir / "events.sql").write_text(
        f"CREATE STREAM events (id STRING KEY, n INT) WITH (kafka_topic='{topic_name}', value_format='JSON', partitions=1);"
    )
    apply_path(settings, settings.streams_dir)
    for offset in range(3):
        _land(settings.warehouse, offset, f"k{offset}")
    deadline = time.monotonic() + 10  # without its LIMIT the query would run until stopped
    batches = list(
        push_query(
            settings, "SELECT id FROM events EMIT CHANGES LIMIT 2", from_beginning=True, poll_s=0.05,
            should_stop=lambda: time.monotonic() > deadline,
        )
    )  # fmt: skip
    assert [row for batch in batches for row in batch.rows] == [{"ID": "k0"}, {"ID": "k1"}]


def test_sql_parses_the_query_once(settings, cli, monkeypatch):
    """The CLI, the statement count, the catalog check, the compiler and the column check share one parse."""
    from streamduck.ksql import parser

    settings.backend.connect().close()  # an empty warehouse: the query runs as DuckDB SQL
    calls = []
    real = parser.parse_text
    monkeypatch.setattr(parser, "parse_text", lambda *a, **k: calls.append(a) or real(*a, **k))
    result = cli("sql", "SELECT 41 + 1 AS answer", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [{"answer": 42}]
    assert len(calls) == 1, calls
