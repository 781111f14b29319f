"""Integration: a damaged or foreign warehouse file, or a full disk, is one line and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import STREAMDUCK_BIN
from tests.load.conftest import check_exactly_once, load_cli, people_stream, produce_people, warehouse_rows


def streamduck(
    cli_env: dict[str, str], *args: str, timeout: float = 60
) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = subprocess.run(
        [STREAMDUCK_BIN, *args], env=cli_env, capture_output=True, text=True, timeout=timeout
    )
    return done, time.monotonic() - started


@pytest.fixture
def people(settings, topic_name: str) -> str:
    people_stream(settings, topic_name)
    return topic_name


def assert_one_line_error(done: subprocess.CompletedProcess, *expected: str) -> str:
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr
    for text in expected:
        assert text in lines[0], (text, lines[0])
    return lines[0]


def real_warehouse(path: Path) -> bytes:
    """The bytes of a DuckDB file with enough data to span many blocks."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT range AS i, md5(range::VARCHAR) AS s FROM range(200000)")
    con.close()
    return path.read_bytes()


def damaged_kinds(tmp_path: Path) -> dict[str, bytes]:
    good = real_warehouse(tmp_path / "good.duckdb")
    flipped = bytearray(good)
    flipped[len(good) // 2 : len(good) // 2 + 4096] = os.urandom(4096)
    return {
        "empty": b"",
        "sqlite": b"SQLite format 3\x00" + bytes(4080),
        "foreign": b"id,name\n1,ann\n" * 100,
        "truncated": good[: len(good) // 3],
        "corrupt": bytes(flipped),
    }


@pytest.mark.parametrize("kind", ["empty", "sqlite", "foreign", "truncated", "corrupt"])
def test_damaged_warehouse_is_one_line_for_every_command(kind, cli_env, settings, people, tmp_path):
    Path(settings.warehouse).write_bytes(damaged_kinds(tmp_path)[kind])
    expected = {"empty": "0 bytes", "sqlite": "SQLite", "foreign": "not a DuckDB database"}.get(
        kind, "damaged"
    )
    commands = [["sql", "SELECT 1"], ["status"], ["load", "--until-caught-up"], ["ksql", "apply"]]
    if kind == "corrupt":  # a damaged data block is met by what reads it
        commands = [["sql", "SELECT sum(length(s)) FROM t"]]
    for args in commands:
        done, seconds = streamduck(cli_env, *args)
        assert_one_line_error(done, str(settings.warehouse), expected)
        assert seconds < 15, (args, seconds)


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 16 MiB tmpfs mounted for this test (CI runs as root); no mount is a failure, not a skip."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.fail(
            f"the disk-full test needs to mount a tmpfs (as root): {done.stderr.strip() or done.returncode}"
        )
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(directory: Path, leave_bytes: int) -> Path:
    """Take all but ``leave_bytes`` of the free space of ``directory``'s file system."""
    filler = directory / "filler"
    stats = os.statvfs(directory)
    free = stats.f_bavail * stats.f_frsize
    with open(filler, "wb") as out:
        out.truncate(0)
        chunk = b"\0" * (1 << 20)
        remaining = max(free - leave_bytes, 0)
        while remaining > 0:
            remaining -= out.write(chunk[: min(len(chunk), remaining)])
    return filler


def test_disk_full_is_one_line_keeps_what_was_committed_and_the_rerun_is_exact(
    cli_env, settings, people, small_disk
):
    env = {**cli_env, "STREAMDUCK_WAREHOUSE": str(small_disk / "warehouse.duckdb")}
    settings = settings.model_copy(update={"warehouse": small_disk / "warehouse.duckdb"})
    produce_people(settings, people, 2_000)
    first = load_cli(env, "--until-caught-up")
    assert first.returncode == 0, first.stderr
    committed = warehouse_rows(settings, "SELECT ROWPARTITION, ROWOFFSET FROM raw.people")
    assert len(committed) == 2_000

    produce_people(settings, people, 60_000, start=2_000)
    filler = fill(small_disk, leave_bytes=256 * 1024)
    started = time.monotonic()
    full = load_cli(env, "--until-caught-up", "--batch-size", "5000")
    seconds = time.monotonic() - started
    assert_one_line_error(full, "no space left on device", str(small_disk / "warehouse.duckdb"))
    assert seconds < 30, seconds
    filler.unlink()
    kept = set(warehouse_rows(settings, "SELECT ROWPARTITION, ROWOFFSET FROM raw.people"))
    assert set(committed) <= kept, "a committed row was lost"

    again = load_cli(env, "--until-caught-up")
    assert again.returncode == 0, again.stderr
    figures = check_exactly_once(settings, "people", people)
    assert figures == {"produced": 62_000, "rows": 62_000, "dead": 0}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "the query is empty"),
        (" ;\n-- nothing\n", "the query is empty"),
        ("SELECT 1; SELECT 2", "got 2 statements"),
    ],
)
def test_sql_refuses_empty_and_multi_statement_input(cli, settings, query, expected):
    duckdb.connect(str(settings.warehouse)).close()
    result = cli("sql", query)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: sql: {expected}" + (
        '; give one statement, e.g. streamduck sql "SHOW STREAMS"'
        if "empty" in expected
        else "; give one statement per call"
    )
    assert cli("sql", "SELECT 41 + 1 AS answer", "--format", "csv").stdout.split() == ["answer", "42"]
