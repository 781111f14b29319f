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
from tests.load.conftest import check_exactly_once, load_cli, produce_people, warehouse_rows

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


def test_sigkill_at_random_instants_then_bounded_load_is_exact(settings, cli_env, people):
    total, kills, rng = 30_000, 7, random.Random(2026)
    producer = threading.Thread(
        target=generate, args=(settings, "people"),
        kwargs={"topic": people, "count": total, "rate": 800, "seed": 1, "bad_ratio": 0.02},
    )  # fmt: skip
    producer.start()
    groups, progress = [], []
    for attempt in range(kills):
        # A new group per incarnation joins at once instead of waiting out the dead member's session;
        # exactly-once positions come from the warehouse whatever the group.
        group = f"g-kill-{attempt}"
        groups.append(group)
        process = start_follower(cli_env, group)
        time.sleep(rng.uniform(5.0, 9.0))  # startup + join take ~4 s
        process.send_signal(signal.SIGKILL)
        _, stderr = process.communicate()
        assert process.returncode == -signal.SIGKILL, stderr
        progress.append(loaded_rows(settings))
    producer.join()
    # An incarnation that loaded something before its SIGKILL was killed mid-load (records kept arriving).
    killed_while_loading = sum(
        1 for before, after in zip([0, *progress], progress, strict=False) if after > before
    )
    assert killed_while_loading >= 5, f"kills should land while loading: {progress}"

    final = load_cli(cli_env, "--group", "g-kill-final", "--format", "json")
    assert final.returncode == 0, final.stderr
    assert json.loads(final.stdout)[0]["duplicates"] == 0
    result = check_exactly_once(settings, "PEOPLE", people)
    assert result["produced"] == total and result["rows"] + result["dead"] == total
    kafka_commits_not_ahead(settings, [*groups, "g-kill-final"], people)
    print(
        f"kills={kills} (while loading: {killed_while_loading}) records={total} lost=0 duplicated=0 {progress}"
    )


def test_two_followers_split_partitions_and_a_reader_gets_in(settings, cli_env, people):
    first, second = start_follower(cli_env, "g-pair"), start_follower(cli_env, "g-pair")
    try:
        time.sleep(6)  # both joined: the group has rebalanced to two members
        produce_people(settings, people, 9000)
        time.sleep(1)  # loading is under way
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
