"""Exactly once on a DuckLake (catalog in a real PostgreSQL, data in Parquet files): many loaders at once.

Three ``load --follow`` processes of one group split a topic's partitions and commit concurrently
while ``streamduck sql`` readers query; a storm of SIGKILLs; a zombie whose commit races its
successor's. The oracle is the file backend's: every record of the topic in exactly one place.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import threading
import time

import pytest

from streamduck.load.batch import BatchBuilder, BatchLimits
from streamduck.load.commit import commit_batch
from streamduck.load.guarantee import EXACTLY_ONCE
from streamduck.produce import generate
from streamduck.settings import Settings
from streamduck.warehouse.backend import retry_conflicts
from streamduck.warehouse.layout import ensure_source
from tests.conftest import STREAMDUCK_BIN, env_for
from tests.load.conftest import check_exactly_once, load_cli, people_stream, wait_for_group, warehouse_rows
from tests.load.test_kill import keep_producing, loaded_rows, start_follower, wait_for_rows_above
from tests.load.test_loader_logic import PEOPLE, records

pytestmark = pytest.mark.slow


@pytest.fixture
def lake_people(lake_settings: Settings, topic_name: str) -> str:
    """A 6-partition topic with a `people` stream mapped to it, on a fresh DuckLake."""
    people_stream(lake_settings, topic_name, partitions=6)
    return topic_name


def produce_in_background(settings: Settings, topic: str, count: int, rate: float) -> threading.Thread:
    producer = threading.Thread(
        target=generate, args=(settings, "people"),
        kwargs={"topic": topic, "count": count, "rate": rate, "seed": 7, "bad_ratio": 0.02},
    )  # fmt: skip
    producer.start()
    return producer


def wait_for_rows(settings: Settings, total: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while (loaded := loaded_rows(settings)) < total and time.monotonic() < deadline:
        time.sleep(0.5)
    return loaded


def test_three_followers_and_readers_share_one_ducklake(lake_settings, lake_people):
    env, total = env_for(lake_settings), 12_000
    followers = [start_follower(env, "g-lake") for _ in range(3)]
    readers: list[tuple[float, int]] = []
    try:
        wait_for_group(lake_settings, "g-lake", members=3)  # each member holds two partitions
        producer = produce_in_background(lake_settings, lake_people, total, rate=3000)
        while producer.is_alive() or loaded_rows(lake_settings) < total:
            started = time.monotonic()
            reader = subprocess.run(
                [STREAMDUCK_BIN, "sql", "SELECT count(*) AS n FROM people", "--format", "json"],
                env=env, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert reader.returncode == 0, reader.stderr
            readers.append((time.monotonic() - started, json.loads(reader.stdout)[0]["n"]))
            if len(readers) > 60:
                break
        assert wait_for_rows(lake_settings, total, 60) == total
    finally:
        for process in followers:
            process.send_signal(signal.SIGTERM)
        codes = [p.wait(timeout=60) for p in followers]
    assert codes == [0, 0, 0], [p.stderr.read() for p in followers]
    # Readers read committed snapshots while three writers commit (that none waits for a writer's
    # open transaction is checked deterministically below); their wall time is process start-up.
    counts = [n for _, n in readers]
    assert counts == sorted(counts), "a reader saw rows disappear"
    assert any(0 < n < total for n in counts), f"no read happened while loading: {readers}"
    (loaders, conflicts), *_ = warehouse_rows(
        lake_settings, "SELECT count(DISTINCT loader), sum(commit_conflicts) FROM _streamduck.load_history"
    )
    assert loaders == 3, "all three members should have committed batches"
    result = check_exactly_once(lake_settings, "PEOPLE", lake_people)
    assert result["rows"] + result["dead"] == total
    print(
        f"3 loaders, {len(readers)} reads (slowest {max(s for s, _ in readers):.2f}s), {conflicts} commit conflicts"
    )


def test_a_reader_never_waits_for_an_open_write_transaction(lake_settings, lake_people):
    """A writer holds a transaction open with uncommitted rows; `streamduck sql` answers meanwhile
    with the last committed snapshot (on a DuckDB file it would wait for the write lock)."""
    env = env_for(lake_settings)
    writer = lake_settings.backend.connect()
    ensure_source(writer, PEOPLE)
    writer.execute(
        "INSERT INTO raw.\"PEOPLE\" (__topic, ROWPARTITION, ROWOFFSET, __value) VALUES ('t', 0, 0, '{}')"
    )
    writer.execute("BEGIN TRANSACTION")
    writer.execute(
        "INSERT INTO raw.\"PEOPLE\" (__topic, ROWPARTITION, ROWOFFSET, __value) SELECT 't', 0, range, '{}' FROM range(1, 1001)"
    )
    try:
        reader = subprocess.run(
            [STREAMDUCK_BIN, "sql", 'SELECT count(*) AS n FROM raw."PEOPLE"', "--format", "json"],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert reader.returncode == 0, reader.stderr
        assert json.loads(reader.stdout)[0]["n"] == 1, "the reader sees the committed snapshot only"
    finally:
        writer.execute("COMMIT")
    assert warehouse_rows(lake_settings, 'SELECT count(*) FROM raw."PEOPLE"') == [(1001,)]


KILLS = 4  # each lands while loading; each makes the group wait out the victim's session to rebalance


def test_kill_storm_on_ducklake_loses_and_duplicates_nothing(lake_settings, lake_people):
    env, rng = env_for(lake_settings), random.Random(14)
    stop = threading.Event()
    producer = keep_producing(lake_settings, lake_people, stop)  # records arrive for the whole storm
    members = [start_follower(env, "g-storm") for _ in range(3)]
    progress = [0]
    try:
        for _ in range(KILLS):
            # Each SIGKILL lands while loading: once rows arrived since the last kill (however slow
            # the machine), at a random instant within the next 1.5 s; a successor starts at once.
            wait_for_rows_above(lake_settings, progress[-1], timeout_s=120)
            time.sleep(rng.uniform(0.0, 1.5))
            victim = rng.randrange(len(members))
            members[victim].send_signal(signal.SIGKILL)
            _, stderr = members[victim].communicate(timeout=30)
            assert members[victim].returncode == -signal.SIGKILL, stderr[-3000:]
            members[victim] = start_follower(env, "g-storm")
            progress.append(loaded_rows(lake_settings))
    finally:
        stop.set()
        producer.join()
        for process in members:
            process.send_signal(signal.SIGTERM)
        for process in members:
            process.wait(timeout=60)
    progress = progress[1:]
    final = load_cli(env, "--group", "g-storm-final", "--format", "json")
    assert final.returncode == 0, final.stderr
    assert json.loads(final.stdout)[0]["duplicates"] == 0
    result = check_exactly_once(lake_settings, "PEOPLE", lake_people)
    assert result["rows"] + result["dead"] == result["produced"]
    print(
        f"{KILLS} SIGKILLs among 3 members, {result['produced']} records, none lost or duplicated: {progress}"
    )


def batch_of(partition: int, offsets: range):
    builder = BatchBuilder(PEOPLE, BatchLimits())  # started from nothing, like a member after a rebalance
    builder.add(partition, records(offsets))
    return builder.take()


def other_commits_meanwhile(monkeypatch, con, other_con, other_batch, loader: str) -> list:
    """Have ``other_batch`` commit on ``other_con`` in the middle of ``con``'s next batch transaction
    (after its compare-and-set passed, before its COMMIT); returns the list that gets its result."""
    from streamduck.load import commit as commit_module

    record_drift, done = commit_module._record_drift, []

    def interleaved(connection, *args):
        record_drift(connection, *args)
        if connection is con and not done:
            done.append(
                commit_batch(
                    other_con, other_batch, guarantee=EXACTLY_ONCE, loader=loader, max_value_bytes=1000
                )
            )

    monkeypatch.setattr(commit_module, "_record_drift", interleaved)
    return done


def test_a_zombie_whose_commit_races_its_successor_lands_nothing(lake_settings, monkeypatch):
    """Both pass the compare of compare-and-set in their own snapshot; the successor commits first.

    The zombie's COMMIT then conflicts (both updated the stream's commit fence); re-run, its
    compare-and-set sees the successor's offsets and rolls the batch back whole.
    """
    zombie_con, successor_con = lake_settings.backend.connect(), lake_settings.backend.connect()
    ensure_source(zombie_con, PEOPLE)
    successor = other_commits_meanwhile(monkeypatch, zombie_con, successor_con, batch_of(0, range(5)), "new")
    zombie_batch, retries = batch_of(0, range(3)), []
    result = retry_conflicts(
        lambda: commit_batch(
            zombie_con, zombie_batch, guarantee=EXACTLY_ONCE, loader="old", max_value_bytes=1000
        ),
        on_retry=retries.append,
    )
    assert successor[0].committed
    assert len(retries) == 1, "the zombie's first COMMIT must lose to the successor's"
    assert not result.committed and result.conflicts == {0: 5}
    assert zombie_con.execute('SELECT count(*), max(ROWOFFSET) FROM raw."PEOPLE"').fetchone() == (5, 4)
    offsets = zombie_con.execute("SELECT loader, next_offset FROM _streamduck.offsets").fetchall()
    assert offsets == [("new", 5)]


def test_conflicting_commits_are_retried_and_counted_in_load_history(lake_settings, monkeypatch):
    """Two writers of different partitions: the second's COMMIT conflicts, is re-run and lands, counted."""
    mine, theirs = lake_settings.backend.connect(), lake_settings.backend.connect()
    ensure_source(mine, PEOPLE)
    other_commits_meanwhile(monkeypatch, mine, theirs, batch_of(1, range(6)), "b")
    my_batch, retried = batch_of(0, range(4)), 0

    def attempt():
        return commit_batch(
            mine,
            my_batch,
            guarantee=EXACTLY_ONCE,
            loader="a",
            max_value_bytes=1000,
            conflicts_retried=retried,
        )

    def count(_exc):
        nonlocal retried
        retried += 1

    result = retry_conflicts(attempt, on_retry=count)
    assert result.committed and result.rows == 4 and retried == 1
    history = mine.execute(
        "SELECT loader, commit_conflicts FROM _streamduck.load_history ORDER BY loader"
    ).fetchall()
    assert history == [("a", 1), ("b", 0)]
    offsets = mine.execute('SELECT "partition", next_offset FROM _streamduck.offsets ORDER BY 1').fetchall()
    assert offsets == [(0, 4), (1, 6)]
