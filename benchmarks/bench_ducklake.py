"""Loaders on a DuckLake (1, 2 and 3 at once) against one loader on the DuckDB file, same records.

In one run, against its own embedded broker and its own PostgreSQL (the DuckLake catalog; data in
Parquet files in a temp folder): produce N fake people into 6 partitions, then load all of them,
exactly once, with

1. one ``streamduck load --until-caught-up`` into a fresh DuckDB file;
2. 1, 2 and 3 such processes in one consumer group into a fresh DuckLake each (they split the
   partitions and commit concurrently; conflicting commits are retried and counted).

Each is timed from the first start to the last exit (imports and group joins included). Then the
same GROUP BY over the typed view, on the file and on the 3-loader DuckLake (median of 5, warm).
Prints msgs/s, ratios to the file, commit conflicts, and the query times.

Usage: ``uv run python benchmarks/bench_ducklake.py [--count N]`` (N >= 600000 by default)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from streamduck.broker import EmbeddedBroker
from streamduck.kafka.clients import admin_client
from streamduck.produce import generate
from streamduck.settings import Settings
from streamduck.warehouse.local_postgres import LocalPostgres

ROOT = Path(__file__).resolve().parent.parent
STREAMDUCK = str(Path(sys.executable).parent / "streamduck")
DEFINITION = (ROOT / "sql" / "streams" / "fake_people.sql").read_text(encoding="utf-8")
PARTITIONS = 6
QUERY = "SELECT year(birthdate) AS born, count(*) AS people, count(DISTINCT email) AS emails FROM fake_people GROUP BY ALL ORDER BY born"


def prepare(settings: Settings, topic: str, count: int, workdir: Path) -> Path:
    """The topic with ``count`` fake people in 6 partitions, and a sql dir whose stream maps it."""
    admin = admin_client(settings)
    admin.create_topics({topic: {"num_partitions": PARTITIONS, "replication_factor": 1}})
    admin.close()
    report = generate(settings, "people", topic=topic, count=count, seed=1)
    assert report.acknowledged == count, report.summary()
    sql_dir = workdir / "sql"
    (sql_dir / "streams").mkdir(parents=True)
    definition = DEFINITION.replace("kafka_topic='fake_people'", f"kafka_topic='{topic}'")
    definition = definition.replace("partitions=3", f"partitions={PARTITIONS}")
    (sql_dir / "streams" / "fake_people.sql").write_text(definition, encoding="utf-8")
    return sql_dir


def load(settings: Settings, sql_dir: Path, loaders: int) -> float:
    """Seconds from starting ``loaders`` bounded loaders of one group to the last one's exit."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("STREAMDUCK_")},
        "STREAMDUCK_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
        "STREAMDUCK_WAREHOUSE": str(settings.warehouse),
        "STREAMDUCK_SQL_DIR": str(sql_dir),
    }
    if settings.data_path:
        env["STREAMDUCK_DATA_PATH"] = settings.data_path
    group = f"bench-{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [STREAMDUCK, "load", "--until-caught-up", "--group", group],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(loaders)
    ]
    for process in processes:
        _, stderr = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"a loader failed: {stderr[-2000:]}")
    return time.perf_counter() - started


def facts(settings: Settings) -> tuple[int, int]:
    """Rows plus dead letters, and commit conflicts, as the warehouse holds them."""
    con = settings.backend.connect(read_only=True, wait_s=30)
    try:
        (landed,) = con.execute(
            'SELECT (SELECT count(*) FROM raw."FAKE_PEOPLE") + (SELECT count(*) FROM _streamduck.dead_letters)'
        ).fetchone()
        (conflicts,) = con.execute(
            "SELECT coalesce(sum(commit_conflicts), 0) FROM _streamduck.load_history"
        ).fetchone()
        return int(landed), int(conflicts)
    finally:
        con.close()


def query_seconds(settings: Settings) -> float:
    """Median of 5 warm runs of the GROUP BY, on a read-only connection."""
    con = settings.backend.connect(read_only=True, wait_s=30)
    try:
        con.execute(QUERY).fetchall()  # warm: file metadata, Parquet footers
        times = []
        for _ in range(5):
            started = time.perf_counter()
            con.execute(QUERY).fetchall()
            times.append(time.perf_counter() - started)
        return statistics.median(times)
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-ducklake-"))
    rows: list[tuple[str, int, float, int]] = []
    try:
        with EmbeddedBroker() as broker, LocalPostgres(databases=()) as postgres:
            base = Settings(bootstrap_servers=broker.bootstrap_servers, sql_dir=workdir / "sql")
            print(f"producing {args.count} fake people into {PARTITIONS} partitions ...", flush=True)
            sql_dir = prepare(base, "bench_people", args.count, workdir)
            file_settings = base.model_copy(update={"warehouse": str(workdir / "warehouse.duckdb")})
            seconds = load(file_settings, sql_dir, 1)
            landed, conflicts = facts(file_settings)
            rows.append(("DuckDB file", 1, seconds, conflicts))
            assert landed == args.count, f"file: {landed} of {args.count} records landed"
            lake_settings = file_settings
            for loaders in (1, 2, 3):
                database = f"lake{loaders}"
                lake_settings = base.model_copy(
                    update={
                        "warehouse": f"ducklake:postgres:{postgres.create_database(database)}",
                        "data_path": str(workdir / f"{database}-data"),
                    }
                )
                seconds = load(lake_settings, sql_dir, loaders)
                landed, conflicts = facts(lake_settings)
                assert landed == args.count, f"{loaders} loaders: {landed} of {args.count} records landed"
                rows.append(("DuckLake (PostgreSQL)", loaders, seconds, conflicts))
            file_query, lake_query = query_seconds(file_settings), query_seconds(lake_settings)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    file_rate = args.count / rows[0][2]
    print(f"\n{args.count} records, {PARTITIONS} partitions, exactly-once, {os.cpu_count()} cores\n")
    print("| warehouse | loaders | seconds | msgs/s | vs file | commit conflicts |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, loaders, seconds, conflicts in rows:
        rate = args.count / seconds
        print(f"| {name} | {loaders} | {seconds:.1f} | {rate:,.0f} | {rate / file_rate:.2f} | {conflicts} |")
    print(f"\nGROUP BY over the typed view ({QUERY!r}), median of 5:")
    print(f"| DuckDB file | {file_query * 1000:.0f} ms |")
    print(f"| DuckLake | {lake_query * 1000:.0f} ms | ({lake_query / file_query:.2f} x the file)")


if __name__ == "__main__":
    main()
