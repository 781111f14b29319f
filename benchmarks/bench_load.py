"""Exactly-once load end to end versus a bare kafka-python consume of the same records.

In one run against its own embedded broker: produce N fake people (3 partitions), then measure, as
separate processes timed from start to exit (imports and the group join included):

1. bare consume: a kafka-python consumer group member reads all N records, doing nothing with them;
2. ``streamduck load --until-caught-up``: the same records into a fresh DuckDB warehouse, exactly once.

Prints msgs/s for each (median of ``--repeat`` runs), the ratio (target >= 0.85), peak RSS, and the
loader's peak RSS at 2 x N and 4 x N to show memory is bounded by the batch size rather than by N; then
one load without reading ahead during the group join, to show what that buys.

Usage: ``uv run python benchmarks/bench_load.py [--count N] [--repeat R]``
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

ROOT = Path(__file__).resolve().parent.parent
STREAMDUCK = str(Path(sys.executable).parent / "streamduck")
DEFINITION = (ROOT / "sql" / "streams" / "fake_people.sql").read_text(encoding="utf-8")

BARE_CONSUMER = """
import sys
from kafka import KafkaConsumer
servers, topic, group, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
consumer = KafkaConsumer(topic, bootstrap_servers=servers, group_id=group, auto_offset_reset="earliest",
                         enable_auto_commit=False, session_timeout_ms=6000, heartbeat_interval_ms=1000)
seen = 0
while seen < count:
    for records in consumer.poll(timeout_ms=500, max_records=20000).values():
        seen += len(records)
consumer.close(autocommit=False)
"""


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds from start to exit, and peak RSS in MiB, of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{args[0]} failed: {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def prepare(settings: Settings, topic: str, count: int, workdir: Path) -> Path:
    """Topic with ``count`` fake people, and a sql dir (in ``workdir``) whose stream maps it."""
    admin = admin_client(settings)
    admin.create_topics({topic: {"num_partitions": 3, "replication_factor": 1}})
    admin.close()
    report = generate(settings, "people", topic=topic, count=count, seed=1)
    assert report.acknowledged == count, report.summary()
    sql_dir = workdir / f"sql-{topic}"
    (sql_dir / "streams").mkdir(parents=True)
    (sql_dir / "streams" / "fake_people.sql").write_text(
        DEFINITION.replace("kafka_topic='fake_people'", f"kafka_topic='{topic}'"), encoding="utf-8"
    )
    return sql_dir


def run_loader(settings: Settings, sql_dir: Path, workdir: Path, *extra: str) -> tuple[float, float]:
    warehouse = workdir / f"{uuid.uuid4().hex}.duckdb"
    env = {
        **os.environ,
        "STREAMDUCK_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
        "STREAMDUCK_WAREHOUSE": str(warehouse),
        "STREAMDUCK_SQL_DIR": str(sql_dir),
    }
    group = f"bench-{uuid.uuid4().hex[:8]}"
    result = timed([STREAMDUCK, "load", "--until-caught-up", "--group", group, *extra], env)
    for leftover in workdir.glob(f"{warehouse.name}*"):
        leftover.unlink()
    return result


def run_bare(settings: Settings, topic: str, count: int) -> tuple[float, float]:
    group = f"bare-{uuid.uuid4().hex[:8]}"
    return timed(
        [sys.executable, "-c", BARE_CONSUMER, settings.bootstrap_servers, topic, group, str(count)],
        dict(os.environ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    with EmbeddedBroker() as broker:
        settings = Settings(bootstrap_servers=broker.bootstrap_servers, producers_dir=ROOT / "producers")
        sql_n = prepare(settings, "people_n", args.count, workdir)
        sql_2n = prepare(settings, "people_2n", 2 * args.count, workdir)
        sql_4n = prepare(settings, "people_4n", 4 * args.count, workdir)
        bare, load = [], []
        for _ in range(args.repeat):  # interleaved, so drift in machine load hits both alike
            bare.append(run_bare(settings, "people_n", args.count))
            load.append(run_loader(settings, sql_n, workdir))
        load_2n = run_loader(settings, sql_2n, workdir)
        load_4n = run_loader(settings, sql_4n, workdir)
        no_read_ahead = run_loader(settings, sql_n, workdir, "--read-ahead", "0")
    shutil.rmtree(workdir, ignore_errors=True)
    report(args.count, bare, load, load_2n, load_4n, no_read_ahead)


def report(
    count: int,
    bare: list[tuple[float, float]],
    load: list[tuple[float, float]],
    load_2n: tuple[float, float],
    load_4n: tuple[float, float],
    no_read_ahead: tuple[float, float],
) -> None:
    bare_s = statistics.median(t for t, _ in bare)
    load_s = statistics.median(t for t, _ in load)
    print(
        f"records: {count} fake people, 3 partitions; median of {len(bare)} runs; end to end (process start to exit)"
    )
    print(f"{'':34} {'seconds':>8} {'msgs/s':>9} {'peak RSS MiB':>13}")
    print(
        f"{'bare kafka-python consume':34} {bare_s:8.2f} {count / bare_s:9.0f} {max(r for _, r in bare):13.0f}"
    )
    print(
        f"{'streamduck load (exactly-once)':34} {load_s:8.2f} {count / load_s:9.0f} {max(r for _, r in load):13.0f}"
    )
    print(
        f"{'streamduck load, 2 x N records':34} {load_2n[0]:8.2f} {2 * count / load_2n[0]:9.0f} {load_2n[1]:13.0f}"
    )
    print(
        f"{'streamduck load, 4 x N records':34} {load_4n[0]:8.2f} {4 * count / load_4n[0]:9.0f} {load_4n[1]:13.0f}"
    )
    print(
        f"{'streamduck load, --read-ahead 0':34} {no_read_ahead[0]:8.2f} {count / no_read_ahead[0]:9.0f} "
        f"{no_read_ahead[1]:13.0f}"
    )
    print(f"ratio load / bare (msgs/s): {bare_s / load_s:.2f}  (target >= 0.85)")
    print(
        "runs (bare s, load s): "
        + ", ".join(f"({b:.2f}, {ld:.2f})" for (b, _), (ld, _) in zip(bare, load, strict=True))
    )


if __name__ == "__main__":
    main()
