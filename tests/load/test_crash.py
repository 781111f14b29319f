"""Real crashes at named points (STREAMDUCK_CRASH_AT) and what each guarantee promises afterwards."""

from __future__ import annotations

import json

import pytest

from streamduck.crash import CRASH_EXIT_CODE
from streamduck.kafka.clients import admin_client
from tests.load.conftest import check_exactly_once, load_cli, produce_people, warehouse_rows


def kafka_committed(settings, group: str, topic: str) -> dict[int, int]:
    admin = admin_client(settings)
    try:
        offsets = admin.list_group_offsets(group).get(group, {})
    finally:
        admin.close()
    return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic}


def assert_kafka_not_ahead(settings, group: str, topic: str) -> None:
    stored = dict(warehouse_rows(settings, 'SELECT "partition", next_offset FROM _streamduck.offsets'))
    for partition, offset in kafka_committed(settings, group, topic).items():
        assert offset <= stored.get(partition, 0), (
            f"Kafka commit {offset} ahead of warehouse on partition {partition}"
        )


@pytest.mark.parametrize("point", ["after-insert", "after-warehouse-commit", "after-kafka-commit"])
def test_exactly_once_survives_a_crash_at_each_point(settings, cli_env, people, point):
    produce_people(settings, people, 3000)
    # A group of its own: the crashed member stays in its group for a session, and a later case
    # joining that group would wait it out.
    group = f"g-crash-{point}"
    crashed = load_cli(
        cli_env, "--batch-size", "400", "--group", group, env={"STREAMDUCK_CRASH_AT": f"{point}@2"}
    )
    assert crashed.returncode == CRASH_EXIT_CODE, crashed.stderr
    assert_kafka_not_ahead(settings, group, people)

    # A fresh group joins at once (the dead member is not waited for) and still starts where the
    # warehouse is: exactly-once positions come from the warehouse, not from Kafka.
    rerun = load_cli(cli_env, "--group", "g-rerun", "--format", "json")
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)[0]["duplicates"] == 0
    assert check_exactly_once(settings, "PEOPLE", people) == {"produced": 3000, "rows": 3000, "dead": 0}
    assert_kafka_not_ahead(settings, group, people)


def test_at_least_once_redelivers_after_a_crash_but_never_duplicates(settings, cli_env, people):
    produce_people(settings, people, 3000)
    args = ("--guarantee", "at-least-once", "--batch-size", "400", "--group", "g-alo")
    crashed = load_cli(cli_env, *args, env={"STREAMDUCK_CRASH_AT": "after-warehouse-commit@2"})
    assert crashed.returncode == CRASH_EXIT_CODE, crashed.stderr

    rerun = load_cli(cli_env, *args, "--format", "json")
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)[0]["duplicates"] > 0, "the crashed batch should have been delivered again"
    assert check_exactly_once(settings, "PEOPLE", people)["rows"] == 3000


def test_at_most_once_loses_the_batch_committed_before_a_crash(settings, cli_env, people):
    """The negative control: the oracle must catch the loss at-most-once allows."""
    produce_people(settings, people, 3000)
    args = ("--guarantee", "at-most-once", "--batch-size", "400", "--group", "g-amo")
    crashed = load_cli(cli_env, *args, env={"STREAMDUCK_CRASH_AT": "before-write@2"})
    assert crashed.returncode == CRASH_EXIT_CODE, crashed.stderr
    assert load_cli(cli_env, *args).returncode == 0

    with pytest.raises(AssertionError, match="records lost"):
        check_exactly_once(settings, "PEOPLE", people)
    (rows,) = warehouse_rows(settings, 'SELECT count(*) FROM raw."PEOPLE"')[0]
    assert 0 < 3000 - rows < 3000  # the batches Kafka had committed but the warehouse had not
