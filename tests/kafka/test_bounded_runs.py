"""``kafka.bounded.OtherMembers``: when a bounded run may stop, as far as other members' partitions go."""

from __future__ import annotations

import logging
import time

import pytest

from streamduck.kafka.admin import create_topic, open_admin
from streamduck.kafka.bounded import OtherMembers
from streamduck.kafka.clients import consumer
from streamduck.settings import Settings

GROUP_SUFFIX = "-group"


@pytest.fixture
def member(settings: Settings, topic_name: str):  # type: ignore[no-untyped-def]
    """A group member holding partition 0 of a 2-partition topic; partition 1 is "elsewhere"."""
    from kafka import TopicPartition

    create_topic(settings, topic_name, partitions=2)
    client = consumer(settings, group_id=topic_name + GROUP_SUFFIX)
    client.assign([TopicPartition(topic_name, 0)])
    yield client
    client.close(autocommit=False)


def _commit(settings: Settings, topic: str, partition: int, offset: int) -> None:
    from kafka.structs import OffsetAndMetadata, TopicPartition

    with open_admin(settings) as admin:
        admin.alter_group_offsets(
            topic + GROUP_SUFFIX, {TopicPartition(topic, partition): OffsetAndMetadata(offset, "", None)}
        )


def _targets(topic: str) -> dict:  # type: ignore[type-arg]
    from kafka import TopicPartition

    return {TopicPartition(topic, 0): 5, TopicPartition(topic, 1): 7}  # partition 0 is ours


def test_other_members_partitions_count_once_the_group_commit_reaches_the_target(
    settings, member, topic_name
) -> None:
    others = OtherMembers(session_timeout_ms=60_000)

    _commit(settings, topic_name, 1, 6)
    assert not others.caught_up(member, _targets(topic_name))
    _commit(settings, topic_name, 1, 7)
    assert others.caught_up(member, _targets(topic_name))


def test_a_member_that_never_commits_is_waited_for_one_session_at_most(member, topic_name, caplog) -> None:
    others = OtherMembers(session_timeout_ms=500, join_s=0.5)
    started = time.monotonic()

    with caplog.at_level(logging.WARNING, logger="streamduck.kafka.bounded"):
        while not others.caught_up(member, _targets(topic_name)):
            time.sleep(0.1)

    assert 1.5 <= time.monotonic() - started < 5
    assert f"{topic_name}[1] are assigned to other members" in caplog.text
