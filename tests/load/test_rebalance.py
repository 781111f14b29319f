"""Rebalances while another process holds the DuckDB file: membership must not depend on the file.

The rebalance listener runs on kafka-python's IO thread, which also sends the heartbeats. If the
listener waited for the warehouse (it once read the stored offsets there, and flushed batches),
a reader holding the file longer than the session timeout would get the members evicted from
the group, over and over, until the reader let go.
"""

from __future__ import annotations

import signal
import time

import pytest

from streamduck.kafka.groups import list_groups
from streamduck.load.runner import SESSION_TIMEOUT_MS
from streamduck.warehouse.connection import connect
from tests.load.conftest import check_exactly_once, produce_people
from tests.load.test_kill import loaded_rows, start_follower

pytestmark = pytest.mark.slow

HOLD_S = 4 * SESSION_TIMEOUT_MS / 1000  # several sessions: a blocked member would be evicted


def _wait_for_rows(settings, count: int, timeout_s: float = 90) -> int:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while (seen := loaded_rows(settings)) < count and time.monotonic() < deadline:
        time.sleep(0.5)
    return seen


def _members(settings, group: str) -> tuple[str | None, int]:  # type: ignore[no-untyped-def]
    rows = [g for g in list_groups(settings) if g["group"] == group]
    return (rows[0]["state"], rows[0]["members"]) if rows else (None, 0)


def test_a_reader_holding_the_file_during_a_rebalance_evicts_no_member(settings, cli_env, people):
    group = "g-held-file"
    produce_people(settings, people, 3000)
    first = start_follower(cli_env, group)
    second = None
    samples: list[tuple[str | None, int]] = []
    try:
        assert _wait_for_rows(settings, 3000) == 3000
        reader = connect(settings.warehouse, read_only=True, wait_s=30)  # the loader hands it over
        try:
            produce_people(settings, people, 3000, start=3000)
            second = start_follower(cli_env, group)  # joining: the group rebalances, the file is held
            held_since = time.monotonic()
            while time.monotonic() - held_since < HOLD_S:
                time.sleep(1.0)
                if time.monotonic() - held_since > 2 * SESSION_TIMEOUT_MS / 1000:
                    samples.append(_members(settings, group))  # past any blocked member's session
        finally:
            reader.close()
        assert _wait_for_rows(settings, 6000) == 6000
    finally:
        processes = [p for p in (first, second) if p is not None]
        for process in processes:
            process.send_signal(signal.SIGTERM)
        codes = [p.wait(timeout=60) for p in processes]
    assert codes == [0, 0], [p.stderr.read()[-2000:] for p in processes]
    assert samples and all(members == 2 for _, members in samples), samples
    result = check_exactly_once(settings, "PEOPLE", people)
    assert result["rows"] + result["dead"] == 6000
