"""What a bounded load of a handful of records costs, with and without the group join.

``load --until-caught-up`` with exactly-once reads every partition itself when no member of its
consumer group is active (:meth:`streamduck.load.runner.LoadRun._may_read_directly`); otherwise it
joins the group, which on the embedded broker takes about half a session timeout. This measures,
in one run against its own embedded broker, ``run_load`` of 5 new records per round both ways
(the joining way with ``direct_when_idle=False``), and prints the medians and their ratio.

Usage: ``uv run python benchmarks/bench_bounded_load.py [--rounds N]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from streamduck.broker import EmbeddedBroker
from streamduck.kafka.clients import producer
from streamduck.ksql.apply import apply_path
from streamduck.load import run_load
from streamduck.settings import Settings

RECORDS_PER_ROUND = 5


def produce(settings: Settings, topic: str, round_: int) -> None:
    client = producer(settings)
    for i in range(RECORDS_PER_ROUND):
        client.send(topic, key=f"k{i}".encode(), value=json.dumps({"n": round_ * 10 + i}).encode())
    client.flush()
    client.close()


def rounds(settings: Settings, topic: str, count: int, direct: bool) -> list[float]:
    times = []
    for round_ in range(count):
        produce(settings, topic, round_)
        started = time.perf_counter()
        report = run_load(settings, group=f"bench-{topic}", direct_when_idle=direct)
        times.append(time.perf_counter() - started)
        assert report.rows == RECORDS_PER_ROUND, report.rows
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work, EmbeddedBroker(log_file=Path(work) / "tansu.log") as broker:
        medians = {}
        for direct in (False, True):
            topic = f"bench-bounded-{uuid.uuid4().hex[:6]}"
            sql = Path(work) / f"{topic}.sql"
            sql.write_text(
                f"CREATE STREAM s_{topic.replace('-', '_')} (id STRING KEY, n INT) "
                f"WITH (kafka_topic='{topic}', value_format='JSON', partitions=3);"
            )
            settings = Settings(
                bootstrap_servers=broker.bootstrap_servers,
                warehouse=Path(work) / f"{topic}.duckdb",
                sql_dir=Path(work) / "sql",
            )
            apply_path(settings, sql)
            times = rounds(settings, topic, args.rounds, direct)
            medians[direct] = statistics.median(times)
            label = "direct read (no join)" if direct else "group join"
            print(
                f"{label:>22}: median {medians[direct]:.2f} s over {args.rounds} loads of {RECORDS_PER_ROUND} records"
            )
        print(f"{'ratio':>22}: {medians[False] / medians[True]:.1f}x faster without the join")


if __name__ == "__main__":
    main()
