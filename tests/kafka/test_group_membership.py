"""How group members stop (``close_consumer``): never wedging a Tansu group, still handing over fast.

Tansu 0.6 keeps a leader that sends LeaveGroup while its group is forming as the group's leader.
No later member can then complete a join. On Tansu, ``close_consumer`` sends LeaveGroup only when
a heartbeat finds the group stable. The control reproduces the wedge with kafka-python's own
``close()``, so the scenario really is the one that wedges. If a Tansu release fixes it, the
control fails, and the workaround can go.
"""

from __future__ import annotations

import threading
import time

import pytest

from streamduck.kafka.admin import create_topic
from streamduck.kafka.clients import close_consumer, commit_group_offsets, consumer
from streamduck.settings import Settings

pytestmark = pytest.mark.slow

WAIT_S = 15.0  # a healthy hand-over takes ~7 s here: the leaver's 3 s session, then a join


def _member(settings: Settings, topic: str, group: str, session_timeout_ms: int = 3000):  # type: ignore[no-untyped-def]
    return consumer(
        settings,
        topic,
        group_id=group,
        session_timeout_ms=session_timeout_ms,
        heartbeat_interval_ms=session_timeout_ms // 6,
    )


def _seconds_until_assigned(member, stop_after_s: float) -> float | None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while time.monotonic() - started < stop_after_s:
        member.poll(timeout_ms=200)
        if member.assignment():
            return time.monotonic() - started
    return None


def _leader_stops_during_a_rebalance(settings: Settings, topic: str, close) -> float | None:  # type: ignore[no-untyped-def]
    """Leader A is stable; B starts joining (the group is forming); A closes; when does B get partitions?"""
    group = f"{topic}-group"
    leader = _member(settings, topic, group)
    assert _seconds_until_assigned(leader, WAIT_S) is not None
    joiner = _member(settings, topic, group)
    result: list[float | None] = []
    joining = threading.Thread(target=lambda: result.append(_seconds_until_assigned(joiner, WAIT_S)))
    joining.start()
    try:
        time.sleep(0.5)  # B's JoinGroup is in, A has not rejoined: A is the leader of a forming group
        close(leader)
    finally:
        joining.join()
        joiner.close(autocommit=False)
    return result[0]


def test_a_leader_stopping_mid_rebalance_hands_its_partitions_over(
    settings: Settings, topic_name: str
) -> None:
    create_topic(settings, topic_name, partitions=3)

    waited = _leader_stops_during_a_rebalance(settings, topic_name, close_consumer)

    assert waited is not None, f"the remaining member got no partitions in {WAIT_S} s"


def test_control_leave_group_from_a_forming_leader_wedges_tansu(settings: Settings, topic_name: str) -> None:
    create_topic(settings, topic_name, partitions=3)

    waited = _leader_stops_during_a_rebalance(
        settings, topic_name, lambda member: member.close(autocommit=False)
    )

    assert waited is None, "Tansu no longer wedges: close_consumer's workaround can go"


def test_a_stable_member_that_stops_still_leaves_at_once(settings: Settings, topic_name: str) -> None:
    """The next run in the same group does not wait out the previous member's session."""
    create_topic(settings, topic_name, partitions=3)
    group = f"{topic_name}-group"
    first = _member(settings, topic_name, group, session_timeout_ms=6000)
    assert _seconds_until_assigned(first, WAIT_S) is not None

    close_consumer(first)
    second = _member(settings, topic_name, group, session_timeout_ms=6000)
    try:
        waited = _seconds_until_assigned(second, WAIT_S)
    finally:
        second.close(autocommit=False)

    # Tansu answers a new member's join after ~3 s; waiting out the first session would take 6 s more.
    assert waited is not None and waited < 6.0, waited


def test_a_commit_while_the_group_rebalances_is_refused_not_raised(
    settings: Settings, topic_name: str
) -> None:
    """A loader committing as another member joins or dies must not die itself (a DuckLake kill storm
    caught kafka-python 3's RebalanceInProgressError killing an exactly-once follower)."""
    create_topic(settings, topic_name, partitions=1)
    member = _member(settings, topic_name, f"{topic_name}-group", session_timeout_ms=6000)
    try:
        member.poll(timeout_ms=100)  # the join has started, not finished: the group is rebalancing
        assert commit_group_offsets(member, {topic_name: {0: 1}}) is False
        assert commit_group_offsets(member, {}) is True  # nothing to commit is no failure
        assert _seconds_until_assigned(member, WAIT_S) is not None
        assert commit_group_offsets(member, {topic_name: {0: 0}}) is True  # a stable member commits
    finally:
        close_consumer(member)
