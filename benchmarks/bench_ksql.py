"""Benchmark: a ksqlDB GROUP BY view over 1M loaded rows (target: answers in under a second).

Rows are generated directly in DuckDB in the loader's raw layout (``raw."PEOPLE"``: Kafka coordinates
plus the JSON value), so the figure measures the compiled view, not Kafka. Prints, in one run:
the time to land the rows, the compiled view's query time (median of several runs), the same
aggregation hand-written in DuckDB SQL over the same typed view, and their ratio.

    uv run python benchmarks/bench_ksql.py [--rows 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

SOURCE = """CREATE STREAM people (id STRING KEY, name STRING, country STRING, age INT, amount DECIMAL(10, 2))
  WITH (kafka_topic='people', value_format='JSON', partitions=3);"""
VIEW = """CREATE TABLE by_country AS
  SELECT country, COUNT(*) AS people, AVG(age) AS mean_age, SUM(amount) AS total,
         LATEST_BY_OFFSET(name) AS last_name
  FROM people GROUP BY country EMIT CHANGES;"""
HAND_WRITTEN = """SELECT "COUNTRY", count(*), avg("AGE"), sum("AMOUNT"),
  last("NAME" ORDER BY ROWTIME, ROWPARTITION, ROWOFFSET) FILTER (WHERE "NAME" IS NOT NULL)
  FROM main."PEOPLE" GROUP BY "COUNTRY" """


def land_rows(con, rows: int) -> float:
    started = time.perf_counter()
    con.execute(f"""
        INSERT INTO raw."PEOPLE"
        SELECT 'people', (i % 3)::INTEGER, (i // 3)::BIGINT, 1700000000000 + i, ('id-' || i)::BLOB, [],
               json_object('id', 'id-' || i, 'name', 'person ' || i, 'country', 'C' || (i % 50),
                           'age', (i % 90)::INTEGER, 'amount', round((i % 10000) / 100.0, 2))::VARCHAR
        FROM range({rows}) t(i)""")
    return time.perf_counter() - started


def timed(con, sql: str, repeat: int) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = len(con.execute(sql).fetchall())
        times.append(time.perf_counter() - started)
    return statistics.median(times), count


def main() -> None:
    import duckdb

    from streamduck.ksql.execute import execute
    from streamduck.ksql.parser import parse_text
    from streamduck.warehouse.layout import ensure_internal

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "bench.duckdb"))
        ensure_internal(con)
        for statement in parse_text(SOURCE + "\n" + VIEW):
            execute(con, statement)
        land_s = land_rows(con, args.rows)
        view_s, groups = timed(con, 'SELECT * FROM "BY_COUNTRY"', args.repeat)
        hand_s, _ = timed(con, HAND_WRITTEN, args.repeat)
        con.close()

    print(f"rows landed           {args.rows:>12,}  in {land_s:6.2f} s")
    print(
        f"ksql GROUP BY view    {groups:>12,} groups  median {view_s:6.3f} s  (target < 1 s: {'OK' if view_s < 1 else 'MISSED'})"
    )
    print(f"hand-written DuckDB   {groups:>12,} groups  median {hand_s:6.3f} s")
    print(f"ratio view / hand     {view_s / hand_s:12.2f}")


if __name__ == "__main__":
    main()
