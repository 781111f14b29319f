"""``streamduck transform NAME --until-caught-up`` through the CLI, against the embedded broker."""

from __future__ import annotations

import json

from tests.transform.conftest import (
    SESSION_TIMEOUT_MS,
    TransformSetup,
    expected_output,
    per_key_values,
    produce_orders,
    read_topic,
)

BAD = [
    (b"bad1", b"{not json"),
    (b"bad2", b'{"seq": 1, "amount": "lots"}'),  # wrong field type
    (b"bad3", None),  # a tombstone on a stream
]


def _run(cli, name: str, *args: str) -> dict:
    result = cli(
        "transform",
        name,
        "--until-caught-up",
        "--session-timeout-ms",
        SESSION_TIMEOUT_MS,
        "--format",
        "json",
        *args,
    )
    assert result.exit_code == 0, result.stderr
    (report,) = json.loads(result.stdout)
    return report


def test_filter_projection_functions_exactly_once(cli, orders: TransformSetup) -> None:
    bootstrap = orders.settings.bootstrap_servers
    produce_orders(bootstrap, orders.source_topic, range(300), extra=BAD)
    dead_topic = f"{orders.sink_topic}-dead"

    report = _run(cli, orders.name.lower(), "--dead-letter-topic", dead_topic, "--batch-size", "64")

    expected = expected_output(range(300))
    expected_count = sum(len(v) for v in expected.values())
    assert report["records_in"] == 303
    assert report["records_out"] == expected_count
    assert report["dead_letters"] == 3
    assert report["transactions"] >= 5  # 303 records in batches of at most 64
    sink = read_topic(bootstrap, orders.sink_topic)
    assert per_key_values(sink) == expected
    # ROWTIME carries over: each output record has its input record's timestamp.
    source_ts = {
        (r.key, json.loads(r.value)["seq"]): r.timestamp
        for r in read_topic(bootstrap, orders.source_topic)
        if r.key.startswith(b"k")
    }
    assert all(r.timestamp == source_ts[(r.key, json.loads(r.value)["SEQ"])] for r in sink)
    dead = read_topic(bootstrap, dead_topic)
    reasons = {r.key: dict(r.headers)["streamduck-dead-reason"] for r in dead}
    assert reasons == {b"bad1": b"not_json", b"bad2": b"wrong_field_type", b"bad3": b"tombstone"}


def test_second_run_resumes_from_committed_offsets(cli, orders: TransformSetup) -> None:
    bootstrap = orders.settings.bootstrap_servers
    produce_orders(bootstrap, orders.source_topic, range(100))
    assert _run(cli, orders.name)["records_in"] == 100
    produce_orders(bootstrap, orders.source_topic, range(100, 150))

    second = _run(cli, orders.name)

    assert second["records_in"] == 50
    assert per_key_values(read_topic(bootstrap, orders.sink_topic)) == expected_output(range(150))


def test_from_latest_skips_history_then_resumes_where_it_stopped(cli, orders: TransformSetup) -> None:
    bootstrap = orders.settings.bootstrap_servers
    produce_orders(bootstrap, orders.source_topic, range(50), one_per_batch=True)
    assert _run(cli, orders.name.lower(), "--from", "latest")["records_in"] == 0
    produce_orders(bootstrap, orders.source_topic, range(50, 80))

    resumed = _run(cli, orders.name.lower())  # --from only applies to a group without committed offsets

    assert resumed["records_in"] == 30
    assert per_key_values(read_topic(bootstrap, orders.sink_topic)) == expected_output(range(50, 80))


def test_sink_gets_source_partition_count_and_dead_letter_topic_is_made_up_front(
    cli, orders: TransformSetup
) -> None:
    """Both output topics exist before the first record: none is left to broker auto-creation."""
    from kafka import KafkaAdminClient

    dead_topic = f"{orders.sink_topic}-dead"
    _run(cli, orders.name.lower(), "--dead-letter-topic", dead_topic)  # no input at all, so nothing was sent

    admin = KafkaAdminClient(bootstrap_servers=orders.settings.bootstrap_servers)
    try:
        described = {t["name"]: t for t in admin.describe_topics([orders.sink_topic, dead_topic])}
    finally:
        admin.close()
    sink, dead = described[orders.sink_topic], described[dead_topic]
    assert (sink["error_code"], len(sink["partitions"])) == (0, 3)
    assert (dead["error_code"], len(dead["partitions"])) == (0, 1)


def test_unknown_transform_is_named(cli, orders: TransformSetup) -> None:
    result = cli("transform", "no_such_stream", "--until-caught-up")

    assert result.exit_code == 1
    assert "no CREATE STREAM no_such_stream" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_source_topic_is_named(cli, settings) -> None:
    from tests.transform.conftest import write_statements

    write_statements(settings.sql_dir, "absent-topic", "absent-out")

    result = cli("transform", "big_orders", "--until-caught-up")

    assert result.exit_code == 1
    assert "topic 'absent-topic' of source stream ORDERS does not exist" in result.stderr
