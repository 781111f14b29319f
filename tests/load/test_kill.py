"""Real processes, real kills: SIGKILL a follower repeatedly while records arrive; two followers share."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import threading
import time

import duckdb
import pytest

from streamduck.kafka.clients import admin_client
from streamduck.produce import generate
from tests.conftest import STREAMDUCK_BIN
from tests.load.conftest import check_exactly_once, load_cli, produce_people, wait_for_group, warehouse_rows

pytestmark = pytest.mark.slow


def start_follower(cli_env: dict[str, str], group: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            STREAMDUCK_BIN,
            "load",
            "--follow",
            "--group",
            group,
            "--batch-size",
            "2000",
            "--batch-ms",
            "300",
            *extra,
        ],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def loaded_rows(settings) -> int:
    """Rows + dead letters so far, read while loaders may hold the file (retrying like readers do)."""
    if not settings.backend.exists():
        return 0
    try:
        con = settings.backend.connect(read_only=True, wait_s=10)
    except duckdb.Error:
        return 0
    try:
        (count,) = con.execute(
            'SELECT (SELECT count(*) FROM raw."PEOPLE") + (SELECT count(*) FROM _streamduck.dead_letters)'
        ).fetchone()
        return count
    except duckdb.CatalogException:
        return 0
    finally:
        con.close()


def wait_for_rows_above(settings, count: int, timeout_s: float) -> float:
    """Seconds until the warehouse holds more than ``count`` rows and dead letters."""
    started = time.monotonic()
    while loaded_rows(settings) <= count:
        assert time.monotonic() - started < timeout_s, f"no batch committed within {timeout_s} s"
        time.sleep(0.2)
    return time.monotonic() - started


def kafka_commits_not_ahead(settings, groups: list[str], topic: str) -> None:
    stored = dict(warehouse_rows(settings, 'SELECT "partition", next_offset FROM _streamduck.offsets'))
    admin = admin_client(settings)
    try:
        for group in groups:
            for tp, meta in admin.list_group_offsets(group).get(group, {}).items():
                if tp.topic == topic:
                    assert meta.offset <= stored.get(tp.partition, 0), (group, tp, meta.offset, stored)
    finally:
        admin.close()


def keep_producing(settings, topic: str, stop: threading.Event) -> threading.Thread:
    """People sent in small paced chunks until ``stop`` is set: records arrive during every load."""

    def run() -> None:
        chunk = 0
        while not stop.is_set():
            generate(settings, "people", topic=topic, count=350, rate=700, seed=chunk, bad_ratio=0.02)
            chunk += 1

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def records_in(settings, topic: str, partitions: int = 3) -> int:
    """How many records the topic holds now (its partitions' log-end offsets: no transactions here)."""
    from kafka import TopicPartition

    from streamduck.kafka.offsets import log_end_offsets

    return sum(log_end_offsets(settings, [TopicPartition(topic, p) for p in range(partitions)]).values())


def test_sigkill_at_random_instants_then_bounded_load_is_exact(settings, cli_env, people):
    kills, rng = 4, random.Random(2026)
    stop = threading.Event()
    producer = keep_producing(settings, people, stop)
    groups, progress, pending, first_batch_s = [], [], [], []
    try:
        for attempt in range(kills):
            # A new group per incarnation joins at once instead of waiting out the dead member's
            # session; exactly-once positions come from the warehouse whatever the group.
            group = f"g-kill-{attempt}"
            groups.append(group)
            before = progress[-1] if progress else 0
            process = start_follower(cli_env, group)
            # Kill at a random instant once this incarnation has committed a batch, however long its
            # start-up and group join took on a busy machine.
            first_batch_s.append(round(wait_for_rows_above(settings, before, timeout_s=120), 1))
            time.sleep(rng.uniform(0.0, 2.5))
            # Between the producer's chunks the loader may have caught up for a moment: then the
            # kill waits for the next records, so it always lands with records left to load.
            deadline = time.monotonic() + 30
            while (in_topic := records_in(settings, people)) <= loaded_rows(settings):
                assert time.monotonic() < deadline, "no record arrived for 30 s"
                time.sleep(0.05)
            process.send_signal(signal.SIGKILL)
            _, stderr = process.communicate()
            assert process.returncode == -signal.SIGKILL, stderr
            progress.append(loaded_rows(settings))
            # Proof the kill landed mid-load: records the topic held before it never reached the
            # warehouse from this incarnation (nothing else loads meanwhile).
            pending.append(in_topic - progress[-1])
            assert pending[-1] > 0, f"kill {attempt} found nothing left to load: {progress}"
    finally:
        stop.set()
        producer.join()

    final = load_cli(cli_env, "--group", "g-kill-final", "--format", "json")
    assert final.returncode == 0, final.stderr
    assert json.loads(final.stdout)[0]["duplicates"] == 0
    result = check_exactly_once(settings, "PEOPLE", people)
    assert result["rows"] + result["dead"] == result["produced"]
    kafka_commits_not_ahead(settings, [*groups, "g-kill-final"], people)
    print(
        f"kills={kills} records={result['produced']} lost=0 duplicated=0 rows at each kill: {progress};"
        f" records pending at each kill: {pending}; first batch of each incarnation after (s): {first_batch_s}"
    )


def test_two_followers_split_partitions_and_a_reader_gets_in(settings, cli_env, people):
    first, second = start_follower(cli_env, "g-pair"), start_follower(cli_env, "g-pair")
    try:
        wait_for_group(settings, "g-pair", members=2)
        produce_people(settings, people, 9000)
        wait_for_rows_above(settings, 0, timeout_s=60)  # loading is under way
        started = time.monotonic()
        reader = subprocess.run(
            [STREAMDUCK_BIN, "sql", "SELECT count(*) AS n FROM people", "--format", "json"],
            env=cli_env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        waited = time.monotonic() - started
        assert reader.returncode == 0, reader.stderr
        seen = json.loads(reader.stdout)[0]["n"]
        print(f"reader finished in {waited:.2f}s (process start included) and saw {seen} rows while loading")
        deadline = time.monotonic() + 60
        while loaded_rows(settings) < 9000 and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        for process in (first, second):
            process.send_signal(signal.SIGTERM)
        codes = [p.wait(timeout=30) for p in (first, second)]
    assert codes == [0, 0], [p.stderr.read() for p in (first, second)]
    loaders = warehouse_rows(settings, "SELECT count(DISTINCT loader) FROM _streamduck.load_history")
    assert loaders == [(2,)], "both members should have committed batches"
    assert check_exactly_once(settings, "PEOPLE", people)["rows"] == 9000
