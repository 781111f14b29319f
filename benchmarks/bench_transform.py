"""How fast ``streamduck transform`` runs, and where its time goes.

Measures, in one run against its own embedded broker, over the same N JSON orders (3 partitions):

1. consume only: a read_committed consumer reads the topic, nothing else (the input ceiling);
2. evaluate only: the transform's DuckDB step on Arrow batches of ``--batch-size`` records;
3. end to end: ``run_transform(..., mode="until-caught-up")`` (consume, evaluate, produce, one
   transaction per batch), including the consumer group join before the first fetch (~3 s on Tansu).

Usage: ``uv run python benchmarks/bench_transform.py [--count N] [--batch-size B]``
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from streamduck.broker import EmbeddedBroker
from streamduck.kafka.clients import admin_client, consumer, producer
from streamduck.settings import Settings
from streamduck.transform import TransformOptions, load_transform, run_transform
from streamduck.transform.batch import PendingBatch
from streamduck.transform.evaluate import BatchEvaluator

SOURCE = """CREATE STREAM orders (id STRING KEY, seq BIGINT, customer STRING, city STRING, amount DOUBLE)
  WITH (kafka_topic='orders', value_format='JSON', partitions=3);"""
DERIVED = """CREATE STREAM big_orders WITH (kafka_topic='big-orders') AS
  SELECT id, seq, UCASE(customer) AS customer, CONCAT(customer, CONCAT(' from ', city)) AS label, amount
  FROM orders WHERE amount >= 50 EMIT CHANGES;"""


def produce_orders(settings: Settings, count: int) -> None:
    with producer(settings, linger_ms=20) as kafka:
        for seq in range(count):
            value = {"seq": seq, "customer": f"c{seq}", "city": "Oslo", "amount": float(seq * 7 % 100)}
            kafka.send("orders", key=f"k{seq % 1000}".encode(), value=json.dumps(value).encode())
        kafka.flush()


def consume_all(settings: Settings, count: int) -> tuple[float, list]:
    """Seconds to read ``count`` records at read_committed (from the first poll), and the records."""
    reader = consumer(settings, "orders", isolation_level="read_committed", auto_offset_reset="earliest")
    records: list = []
    started = None
    try:
        while len(records) < count:
            polled = reader.poll(timeout_ms=1000)
            started = started or time.perf_counter()
            for batch in polled.values():
                records.extend(batch)
        return time.perf_counter() - started, records
    finally:
        reader.close()


def evaluate_all(settings: Settings, records: list, batch_size: int) -> float:
    """Seconds the DuckDB step takes over ``records`` in batches (Arrow build included)."""
    evaluator = BatchEvaluator(load_transform(settings, "big_orders"))
    started = time.perf_counter()
    for start in range(0, len(records), batch_size):
        batch = PendingBatch()
        chunk = records[start : start + batch_size]
        batch.add({None: chunk})
        evaluator.evaluate(batch.to_arrow())
    elapsed = time.perf_counter() - started
    evaluator.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker:
        streams = Path(tmp) / "sql" / "streams"
        streams.mkdir(parents=True)
        (streams / "orders.sql").write_text(SOURCE)
        (streams / "big_orders.sql").write_text(DERIVED)
        settings = Settings(bootstrap_servers=broker.bootstrap_servers, sql_dir=Path(tmp) / "sql")
        admin = admin_client(settings)
        admin.create_topics({"orders": {"num_partitions": 3, "replication_factor": 1}})
        admin.close()
        produce_orders(settings, args.count)

        consume_s, records = consume_all(settings, args.count)
        evaluate_s = evaluate_all(settings, records, args.batch_size)
        options = TransformOptions(
            mode="until-caught-up", batch_size=args.batch_size, session_timeout_ms=6000
        )
        started = time.perf_counter()
        report = run_transform(settings, "big_orders", options)
        total_s = time.perf_counter() - started
        started = time.perf_counter()
        run_transform(settings, "big_orders", options)  # nothing new: start-up, group join, catch-up check
        fixed_s = time.perf_counter() - started

    n = args.count
    print(f"records: {n}, batch size: {args.batch_size}, output records: {report.records_out}")
    print(f"consume only (read_committed):  {n / consume_s:>10,.0f} records/s")
    print(f"evaluate only (DuckDB step):    {n / evaluate_s:>10,.0f} records/s")
    print(
        f"transform end to end:           {n / total_s:>10,.0f} records/s "
        f"({total_s:.1f} s, {report.transactions} transactions)"
    )
    print(f"  of which fixed start-up cost: {fixed_s:.1f} s (a run with nothing to do: group join, checks)")
    print(f"  steady state:                 {n / (total_s - fixed_s):>10,.0f} records/s")
    print(f"ratio steady state / consume-only: {consume_s / (total_s - fixed_s):.2f}")


if __name__ == "__main__":
    main()
