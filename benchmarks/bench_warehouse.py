"""Queries over loaded streams against a typed DuckDB table built from the same JSON, in one run.

For each N (default 200 000 and 1 000 000) against its own embedded broker:

1. produce N fake people (3 partitions); load them with ``streamduck load --until-caught-up`` into a
   fresh warehouse (stream FAKE_PEOPLE), timed as a process (imports and group join included), next
   to a bare kafka-python consume of the same topic; then load the TABLE PEOPLE_LATEST over the same
   topic into another warehouse (its time printed apart);
2. write the records' JSON (the bytes the warehouse kept) to a file and build the baseline with
   DuckDB's ``read_json(columns=...)`` into a table of the same columns (and the latest row per key);
3. run each query ``--repeat`` times on both, alternating warehouse and baseline run by run (median,
   warm, DuckDB's default threads): a GROUP BY with min/max, a selective LIKE, a point lookup by
   key, and the TABLE source's latest-per-key read.

Prints seconds and the ratio warehouse/baseline per query (goal <= 1.5), load throughput against the
bare consume (goal >= 0.85), the warehouse file size per million records (and without the kept
bytes), and the loader's peak RSS. Then a GROUP BY view (``CREATE TABLE ... AS SELECT ... GROUP BY``,
compiled by streamduck) over 10 x the largest N rows, built by copying the loaded rows in the typed
layout: goal under a second.

Usage: ``uv run python benchmarks/bench_warehouse.py [--counts 200000,1000000] [--repeat 21]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import ROOT, STREAMDUCK, run_bare, timed  # noqa: E402

from streamduck.broker import EmbeddedBroker  # noqa: E402
from streamduck.kafka.clients import admin_client  # noqa: E402
from streamduck.produce import generate  # noqa: E402
from streamduck.settings import Settings  # noqa: E402

DEFINITION = (ROOT / "sql" / "streams" / "fake_people.sql").read_text(encoding="utf-8")
TABLE = """CREATE TABLE people_latest (id STRING PRIMARY KEY, name STRING, email STRING, job STRING,
  company STRING, birthdate DATE, created_at TIMESTAMP) WITH (kafka_topic='{topic}', value_format='JSON');"""
COLUMNS = {
    "id": "VARCHAR", "name": "VARCHAR", "first_name": "VARCHAR", "last_name": "VARCHAR", "email": "VARCHAR",
    "phone": "VARCHAR",
    "address": "STRUCT(street VARCHAR, city VARCHAR, postcode VARCHAR, country VARCHAR)",
    "job": "VARCHAR", "company": "VARCHAR", "birthdate": "DATE", "created_at": "TIMESTAMP", "title": "VARCHAR",
}  # fmt: skip
QUERIES = {
    "GROUP BY job, min/max": (
        "SELECT job, count(*) AS n, min(birthdate) AS oldest, max(created_at) AS newest FROM {people} GROUP BY job"
    ),
    "selective LIKE": "SELECT count(*) FROM {people} WHERE email LIKE '%.org' AND name LIKE 'Zach%'",
    "point lookup by key": "SELECT id, name, email, address, birthdate, created_at FROM {people} WHERE id = '{key}'",
    "TABLE latest per key": "SELECT count(*), count(DISTINCT company), max(created_at) FROM {latest}",
}


def load(settings: Settings, topic: str, workdir: Path, table: bool = False) -> tuple[Path, float, float]:
    """A warehouse with the stream (or the table) applied, then ``streamduck load`` of the topic: (file, s, RSS)."""
    import duckdb

    from streamduck.ksql.execute import execute
    from streamduck.ksql.parser import parse_text
    from streamduck.warehouse.connection import connect

    name = f"{topic}-{'table' if table else 'stream'}"
    sql_dir = workdir / f"sql-{name}"
    (sql_dir / "streams").mkdir(parents=True)
    if table:
        statements = TABLE.format(topic=topic)
    else:
        statements = DEFINITION.replace("kafka_topic='fake_people'", f"kafka_topic='{topic}'")
    (sql_dir / "streams" / "people.sql").write_text(statements, encoding="utf-8")
    warehouse = workdir / f"{name}.duckdb"
    con = connect(warehouse)
    con.execute("BEGIN")
    for statement in parse_text(statements):
        execute(con, statement)
    con.execute("COMMIT")
    con.close()
    env = {
        **os.environ,
        "STREAMDUCK_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
        "STREAMDUCK_WAREHOUSE": str(warehouse),
        "STREAMDUCK_SQL_DIR": str(sql_dir),
    }
    seconds, rss = timed(
        [STREAMDUCK, "load", "--until-caught-up", "--group", f"bench-{uuid.uuid4().hex[:8]}"], env
    )
    duckdb.connect(str(warehouse)).execute("CHECKPOINT").close()
    return warehouse, seconds, rss


def baseline(warehouse: Path, workdir: Path) -> Path:
    """The records' JSON as a file, read with read_json(columns=...) into typed tables."""
    import duckdb

    jsonl = workdir / f"{warehouse.stem}.jsonl"
    con = duckdb.connect(str(warehouse), read_only=True)
    with jsonl.open("w", encoding="utf-8") as out:
        cursor = con.execute('SELECT "__value" FROM raw."FAKE_PEOPLE" ORDER BY ROWPARTITION, ROWOFFSET')
        while rows := cursor.fetchmany(50_000):
            out.write("\n".join(r[0] for r in rows) + "\n")
    con.close()
    path = workdir / f"{warehouse.stem}-baseline.duckdb"
    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items()) + "}"
    base = duckdb.connect(str(path))
    base.execute(
        f"CREATE TABLE people AS SELECT * FROM read_json('{jsonl}', format = 'newline_delimited', columns = {columns})"
    )
    base.execute(
        "CREATE TABLE people_latest AS SELECT id, name, email, job, company, birthdate, created_at FROM people "
        "QUALIFY row_number() OVER (PARTITION BY id ORDER BY rowid DESC) = 1"
    )
    base.close()
    jsonl.unlink()
    return path


def median_seconds(con, sql: str, repeat: int) -> float:
    con.execute(sql).fetchall()  # warm
    runs = []
    for _ in range(repeat):
        runs.append(_seconds(con, sql))
    return statistics.median(runs)


def paired_medians(ours: tuple, theirs: tuple, repeat: int) -> tuple[float, float]:
    """Median seconds of two (connection, sql) runs, warm, alternated run by run so that the
    machine's load (other processes on shared cores) weighs on both sides alike."""
    for con, sql in (ours, theirs):
        con.execute(sql).fetchall()  # warm
    runs: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for side, (con, sql) in zip(runs, (ours, theirs), strict=True):
            side.append(_seconds(con, sql))
    return statistics.median(runs[0]), statistics.median(runs[1])


def _seconds(con, sql: str) -> float:
    started = time.perf_counter()
    con.execute(sql).fetchall()
    return time.perf_counter() - started


def compare(warehouse: Path, lake_table: Path, base: Path, repeat: int) -> dict[str, tuple[float, float]]:
    import duckdb

    wh = duckdb.connect(str(warehouse), read_only=True)
    wh.execute(f"ATTACH '{lake_table}' AS t (READ_ONLY)")
    bl = duckdb.connect(str(base), read_only=True)
    (key,) = bl.execute("SELECT id FROM people LIMIT 1 OFFSET (SELECT count(*) // 2 FROM people)").fetchone()
    results = {}
    for name, sql in QUERIES.items():
        ours = sql.format(people="main.FAKE_PEOPLE", latest="t.main.PEOPLE_LATEST", key=key)
        theirs = sql.format(people="people", latest="people_latest", key=key)
        # (STRUCT field names: ksqlDB upper-cases them, read_json keeps the JSON's spelling)
        if _rows(wh, ours) != _rows(bl, theirs):
            raise SystemExit(
                f"{name}: the warehouse and the baseline disagree: {wh.execute(ours).fetchall()[:2]} "
                f"{bl.execute(theirs).fetchall()[:2]}"
            )
        results[name] = paired_medians((wh, ours), (bl, theirs), repeat)
    wh.close()
    bl.close()
    return results


def _rows(con, sql: str) -> list[str]:
    return sorted(str(row).lower() for row in con.execute(sql).fetchall())


def without_bytes(warehouse: Path, workdir: Path) -> int:
    """Size of the same warehouse with the landing table's kept bytes left out (the typed part)."""
    import duckdb

    path = workdir / "typed-only.duckdb"
    con = duckdb.connect(str(path))
    # One thread: a parallel CREATE TABLE AS leaves row groups partly filled and compresses them
    # worse (1M fake people: 161 MiB with two threads, 85 MiB with one).
    con.execute("SET threads = 1")
    con.execute(f"ATTACH '{warehouse}' AS w (READ_ONLY)")
    con.execute('CREATE TABLE people AS SELECT * EXCLUDE ("__value") FROM w.raw."FAKE_PEOPLE"')
    con.execute("DETACH w")
    con.close()
    size = path.stat().st_size
    path.unlink()
    return size


def ten_times(warehouse: Path, workdir: Path, repeat: int) -> tuple[int, float, float]:
    """10 x the loaded rows in the typed layout, and a compiled GROUP BY view over them: (rows, s, hand s)."""
    from streamduck.ksql.execute import execute
    from streamduck.ksql.parser import parse_text
    from streamduck.warehouse.connection import connect

    path = workdir / "ten.duckdb"
    shutil.copy(warehouse, path)
    con = connect(path)
    (n,) = con.execute('SELECT max(ROWOFFSET) + 1 FROM raw."FAKE_PEOPLE"').fetchone()
    for k in range(1, 10):
        con.execute(
            f'INSERT INTO raw."FAKE_PEOPLE" SELECT * REPLACE (ROWOFFSET + {k * n} AS ROWOFFSET) '
            'FROM raw."FAKE_PEOPLE" WHERE ROWOFFSET < ?',
            [n],
        )
    con.execute("CHECKPOINT")
    con.execute("BEGIN")
    view = "CREATE TABLE people_by_job AS SELECT job, COUNT(*) AS n, MIN(birthdate) AS oldest FROM fake_people GROUP BY job;"
    for statement in parse_text(view):
        execute(con, statement)
    con.execute("COMMIT")
    (rows,) = con.execute('SELECT count(*) FROM raw."FAKE_PEOPLE"').fetchone()
    seconds = median_seconds(con, "SELECT * FROM people_by_job", repeat)
    hand = median_seconds(
        con,
        "SELECT job, count(*), min(birthdate) FROM main.FAKE_PEOPLE WHERE job IS NOT NULL GROUP BY job",
        repeat,
    )
    con.close()
    path.unlink()
    return rows, seconds, hand


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--counts", default="200000,1000000")
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="bench-warehouse-"))
    try:
        with EmbeddedBroker() as broker:
            settings = Settings(bootstrap_servers=broker.bootstrap_servers, producers_dir=ROOT / "producers")
            largest = None
            for count in counts:
                topic = f"people_{count}"
                admin = admin_client(settings)
                admin.create_topics({topic: {"num_partitions": 3, "replication_factor": 1}})
                admin.close()
                report = generate(settings, "people", topic=topic, count=count, seed=1)
                assert report.acknowledged == count, report.summary()
                bare_s, _ = run_bare(settings, topic, count)
                warehouse, load_s, rss = load(settings, topic, workdir)
                table, table_s, _ = load(settings, topic, workdir, table=True)
                base = baseline(warehouse, workdir)
                results = compare(warehouse, table, base, args.repeat)
                size, typed_size, base_size = (
                    warehouse.stat().st_size, without_bytes(warehouse, workdir), base.stat().st_size
                )  # fmt: skip
                print_run(count, bare_s, load_s, rss, size, typed_size, base_size, results)
                print(
                    f"load of the TABLE source PEOPLE_LATEST alone (materialized per batch): {table_s:.2f} s"
                )
                largest = warehouse
            if largest is not None:
                rows, seconds, hand = ten_times(largest, workdir, args.repeat)
                print(
                    f"GROUP BY view (compiled CTAS) over {rows:,} typed rows: {seconds:.3f} s "
                    f"(hand-written GROUP BY {hand:.3f} s; goal < 1 s)"
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def print_run(count, bare_s, load_s, rss, size, typed_size, base_size, results) -> None:
    mib, per_million = 1024 * 1024, 1_000_000 / count
    print(
        f"\n== {count:,} fake people (3 partitions): stream FAKE_PEOPLE; table PEOPLE_LATEST loaded apart =="
    )
    print(f"{'query':26} {'warehouse s':>12} {'baseline s':>11} {'ratio':>6}  (goal <= 1.5)")
    for name, (ours, theirs) in results.items():
        print(f"{name:26} {ours:12.4f} {theirs:11.4f} {ours / theirs:6.2f}")
    print(
        f"load: {load_s:.2f} s ({count / load_s:,.0f} msgs/s) vs bare kafka-python consume {bare_s:.2f} s "
        f"({count / bare_s:,.0f} msgs/s): ratio {bare_s / load_s:.2f} (goal >= 0.85); loader peak RSS {rss:.0f} MiB"
    )
    print(
        f"file size per million records: warehouse {size * per_million / mib:.0f} MiB "
        f"(typed columns without the kept bytes {typed_size * per_million / mib:.0f} MiB; "
        f"read_json baseline {base_size * per_million / mib:.0f} MiB)"
    )


if __name__ == "__main__":
    main()
