"""Integration: `status` lag is exact on the development broker, whose ListOffsets under-reports."""

from __future__ import annotations

import json

from tests.load.conftest import create_topic, define, produce_people


def test_status_lag_counts_every_pending_record_like_groups_describe(settings, cli, topic_name):
    create_topic(settings, topic_name, partitions=1)
    define(
        settings,
        f"CREATE STREAM lagging (name STRING) WITH (kafka_topic='{topic_name}', value_format='JSON');",
    )
    produce_people(settings, topic_name, 20)
    assert cli("load", "--group", f"{topic_name}-g").exit_code == 0
    produce_people(settings, topic_name, 100, start=20)  # one producer batch: ListOffsets says 21 on Tansu
    (row,) = json.loads(cli("status", "--format", "json").stdout)
    assert row["end_offsets"] == {"0": 120} and row["warehouse_offsets"] == {"0": 20}
    assert row["lag"] == 100
    (described,) = json.loads(cli("groups", "describe", f"{topic_name}-g", "--format", "json").stdout)
    assert described["lag"] == row["lag"]
