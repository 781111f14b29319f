"""``streamduck demo`` (twice: re-runnable) and ``streamduck check`` through the real CLI."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO_ROOT, STREAMDUCK_BIN


def _demo(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMDUCK_")}
    env["STREAMDUCK_PRODUCERS_DIR"] = str(REPO_ROOT / "producers")
    return subprocess.run(
        [
            STREAMDUCK_BIN,
            "--sql-dir",
            str(REPO_ROOT / "sql"),
            "demo",
            "--count",
            "500",
            "--demo-warehouse",
            str(tmp_path / "demo.duckdb"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_demo_runs_the_pipeline_and_is_rerunnable(tmp_path: Path) -> None:
    first = _demo(tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    out = first.stdout
    assert "topics        fake_people (created)" in out
    produced = int(re.search(r"produced\s+(\d+) records, (\d+) of them malformed", out).group(1))
    loaded = re.search(r"loaded\s+FAKE_PEOPLE: (\d+) rows, (\d+) dead letters", out)
    assert produced == 500 and int(loaded.group(1)) + int(loaded.group(2)) == 500
    assert re.search(r"checks\s+\d+ passed, \d+ failed", out)
    assert "SELECT id, name, email, birthdate FROM fake_people LIMIT 5" in out
    assert "stopped again" in out
    # The closing hint is a command that works as printed (`uv run streamduck ...` under uv).
    hint = out.split("Query it yourself: ", 1)[1].strip()
    expected = "uv run streamduck " if os.environ.get("UV") else STREAMDUCK_BIN
    assert hint.startswith(expected), hint
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMDUCK_")}
    queried = subprocess.run(
        hint, shell=True, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert queried.returncode == 0, queried.stderr[-2000:]
    assert (
        len([line for line in queried.stdout.splitlines() if "@" in line]) == 5
    )  # five people, with e-mails

    second = _demo(tmp_path)  # a fresh broker and a fresh demo warehouse: the same result
    assert second.returncode == 0, second.stderr[-3000:]
    assert re.search(r"loaded\s+FAKE_PEOPLE: .*", second.stdout).group(0) == loaded.group(0)
    con = duckdb.connect(str(tmp_path / "demo.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM fake_people").fetchone()[0] == int(loaded.group(1))
    con.close()


def test_check_cli_reports_failures_and_exits_non_zero(cli, settings, broker) -> None:
    (settings.streams_dir / "people.sql").write_text(
        "CREATE STREAM people (id STRING KEY, email STRING) WITH (kafka_topic='people_check', value_format='JSON');\n"
    )
    (settings.streams_dir / "people.expectations.yml").write_text(
        "expectations:\n  - type: expect_column_values_to_match_regex\n    column: email\n    regex: '@'\n"
    )
    from streamduck.ksql import load_sources
    from streamduck.warehouse.layout import ensure_source
    from tests.landing import land

    (definition,) = load_sources(settings.streams_dir)
    con = duckdb.connect(str(settings.warehouse))
    ensure_source(con, definition)
    land(
        con,
        definition,
        [(0, 0, 0, b"a", [], '{"email": "a@x.org"}'), (0, 1, 0, b"b", [], '{"email": "nobody"}')],
    )
    con.close()

    failed = cli("check", "--format", "json", "--no-data-docs")
    assert failed.exit_code == 1
    assert (
        "expect_column_values_to_match_regex(EMAIL): 1 of 2 unexpected (50.00%), e.g. 'nobody'"
        in failed.stderr
    )
    assert '"success": false' in failed.stdout

    unknown = cli("check", "nope")
    assert unknown.exit_code == 1 and "no stream named nope" in unknown.stderr
