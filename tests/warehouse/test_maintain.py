"""``streamduck maintain``: small files merged, old snapshots expired, unreferenced files deleted; data intact."""

from __future__ import annotations

import json
from pathlib import Path

from streamduck.settings import Settings
from tests.conftest import env_for


def run_maintain(cli_env_for, *args: str) -> dict:
    import subprocess

    from tests.conftest import STREAMDUCK_BIN

    done = subprocess.run(
        [STREAMDUCK_BIN, "maintain", *args, "--format", "json"],
        env=cli_env_for, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = {row["when"]: row for row in json.loads(done.stdout)}
    return rows


def test_maintain_merges_the_files_of_many_small_commits(lake_settings: Settings) -> None:
    con = lake_settings.backend.connect()
    con.execute("CREATE TABLE raw.events (n BIGINT, payload VARCHAR)")
    for batch in range(30):  # thirty micro-batches, each its own commit, each big enough for a file
        con.execute(
            "INSERT INTO raw.events SELECT range, repeat('x', 50) FROM range(?, ?)",
            [batch * 2000, (batch + 1) * 2000],
        )
    con.close()
    data = Path(lake_settings.data_path or "")
    files_before = len(list(data.rglob("*.parquet")))
    rows = run_maintain(env_for(lake_settings), "--older-than", "0")
    before, after = rows["before"], rows["after"]
    assert before["data_files"] >= 30 and after["data_files"] < before["data_files"] / 5, rows
    assert after["snapshots"] < before["snapshots"], rows
    assert files_before >= 30 and len(list(data.rglob("*.parquet"))) == after["files_on_disk"] < files_before
    reader = lake_settings.backend.connect(read_only=True)
    assert reader.execute("SELECT count(*), count(DISTINCT n), sum(n) FROM raw.events").fetchone() == (
        60_000, 60_000, sum(range(60_000)),
    )  # fmt: skip
    again = run_maintain(env_for(lake_settings), "--older-than", "0")
    figures = [
        {k: v for k, v in row.items() if k != "when"} for row in (again["before"], again["after"], after)
    ]
    assert figures[0] == figures[1] == figures[2], "a second run finds nothing to do"


def test_maintain_checkpoints_a_duckdb_file(settings: Settings, cli_env: dict[str, str]) -> None:
    con = settings.backend.connect()
    con.execute("CREATE TABLE t AS SELECT range AS n FROM range(100000)")
    con.close()
    rows = run_maintain(cli_env)
    assert rows["before"]["data_files"] == rows["after"]["data_files"] == 1
    assert rows["after"]["data_bytes"] > 0 and rows["after"]["snapshots"] is None


def test_maintain_refuses_a_warehouse_that_does_not_exist(settings: Settings, cli) -> None:
    result = cli("maintain")
    assert result.exit_code == 1 and "does not exist yet" in result.stderr
