"""`streamduck generate` end to end against the embedded broker: every ack counted, every record back."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from kafka.partitioner.default import murmur2 as kafka_python_murmur2

from streamduck.broker import free_port
from streamduck.produce.badrecords import BAD_KIND_HEADER, BAD_KINDS
from streamduck.settings import Settings
from tests.conftest import CliResult
from tests.produce.conftest import PRODUCERS_DIR, write_generator

Cli = Callable[..., CliResult]


def consume_all(settings: Settings, topic: str, expected: int, timeout_s: float = 20.0) -> list[Any]:
    """Every record of ``topic``: read until ``expected`` arrived, then until a poll comes back empty."""
    from streamduck.kafka.clients import consumer

    records: list[Any] = []
    reader = consumer(settings, topic, auto_offset_reset="earliest", group_id=None)
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            batch = [r for rs in reader.poll(timeout_ms=500).values() for r in rs]
            records += batch
            if len(records) >= expected and not batch:
                break
    finally:
        reader.close()
    return records


def bad_kind(record: Any) -> str | None:
    return next((v.decode() for k, v in record.headers if k == BAD_KIND_HEADER), None)


def test_every_record_is_acknowledged_and_comes_back_keyed_by_id(
    cli: Cli, settings: Settings, make_topic: Callable[..., str], topic_name: str
) -> None:
    topic = make_topic(topic_name, partitions=3)
    result = cli(
        "generate", "people", "--topic", topic, "--count", "300", "--seed", "5", "--bad-ratio", "0.1"
    )

    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"300 records acknowledged by {topic} (30 bad)"
    assert result.stdout == ""
    records = consume_all(settings, topic, 300)
    assert len(records) == 300
    assert Counter(bad_kind(r) for r in records if bad_kind(r)) == Counter({kind: 3 for kind in BAD_KINDS})
    good = [r for r in records if bad_kind(r) is None]
    assert len(good) == 270
    assert all(r.key == orjson.loads(r.value)["id"].encode() for r in good)
    for record in records:  # keyed records land where every Kafka client would put them
        if record.key is not None:
            assert record.partition == (kafka_python_murmur2(record.key) & 0x7FFFFFFF) % 3


def test_same_seed_sends_the_same_keys_and_values(
    cli: Cli, settings: Settings, make_topic: Callable[..., str], topic_name: str
) -> None:
    sent = []
    for copy in ("a", "b"):
        topic = make_topic(f"{topic_name}-{copy}")
        args = ("generate", "people", "-t", topic, "-n", "60", "--seed", "9", "--bad-ratio", "0.2")
        assert cli(*args).exit_code == 0
        records = consume_all(settings, topic, 60)
        sent.append(Counter((r.key, r.value, tuple(r.headers)) for r in records))
    assert sent[0] == sent[1] and sum(sent[0].values()) == 60


def test_rate_is_honoured(cli: Cli, make_topic: Callable[..., str], topic_name: str) -> None:
    topic = make_topic(topic_name)
    started = time.monotonic()
    result = cli("generate", "people", "--topic", topic, "--count", "40", "--rate", "20")
    elapsed = time.monotonic() - started

    assert result.exit_code == 0, result.stderr
    assert elapsed >= 39 / 20  # record 39 is due 1.95 s after record 0


def test_topic_defaults_to_the_generators_and_a_new_generator_is_one_file(
    cli: Cli, cli_env: dict[str, str], make_topic: Callable[..., str], topic_name: str, tmp_path: Path
) -> None:
    topic = make_topic(topic_name)
    write_generator(
        tmp_path / "producers",
        "products",
        f'KEY = "sku"\nDEFAULT_TOPIC = "{topic}"\n\n'
        "def generate(fake, index, now):\n"
        '    return {"sku": f"SKU-{index}", "name": fake.word(), "price": fake.random_int(1, 99)}\n',
    )
    cli_env["STREAMDUCK_PRODUCERS_DIR"] = str(tmp_path / "producers")

    result = cli("generate", "products", "--count", "5")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == f"5 records acknowledged by {topic} (0 bad)"


def test_unknown_generator_is_named_with_the_available_ones(cli: Cli) -> None:
    result = cli("generate", "nope", "--topic", "whatever")
    assert result.exit_code == 1
    assert "unknown generator 'nope'" in result.stderr and "available: people" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_topic_is_named_and_not_created(cli: Cli, settings: Settings, topic_name: str) -> None:
    from streamduck.kafka.clients import admin_client

    result = cli("generate", "people", "--topic", topic_name, "--count", "5")
    assert result.exit_code == 1
    assert f"topic '{topic_name}' does not exist" in result.stderr
    with admin_client(settings) as admin:
        assert topic_name not in admin.list_topics()


def test_records_the_broker_refuses_are_reported_not_swallowed(
    cli: Cli, cli_env: dict[str, str], make_topic: Callable[..., str], topic_name: str, tmp_path: Path
) -> None:
    topic = make_topic(topic_name)
    write_generator(
        tmp_path,
        "huge",
        'KEY = "id"\nDEFAULT_TOPIC = "huge"\n\n'
        "def generate(fake, index, now):\n"
        '    return {"id": str(index), "blob": "x" * (3 * 1024 * 1024 if index == 2 else 10)}\n',
    )
    cli_env["STREAMDUCK_PRODUCERS_DIR"] = str(tmp_path)

    result = cli("generate", "huge", "--topic", topic, "--count", "5")
    assert result.exit_code == 1
    assert f"only 2 of 5 records were acknowledged by {topic}; 1 failed" in result.stderr
    assert "MessageSizeTooLargeError" in result.stderr


def test_invalid_arguments_are_usage_errors(cli: Cli) -> None:
    for args in (["--bad-ratio", "1.5"], ["--count", "-1"], ["--rate", "-2"]):
        result = cli("generate", "people", "--topic", "t", *args)
        assert result.exit_code == 2, args


def test_unreachable_broker_is_named(cli: Cli, cli_env: dict[str, str]) -> None:
    address = f"127.0.0.1:{free_port()}"
    cli_env.update(STREAMDUCK_BOOTSTRAP_SERVERS=address, STREAMDUCK_CONNECT_TIMEOUT_MS="1000")
    result = cli("generate", "people", "--topic", "t", "--count", "1")
    assert result.exit_code == 1
    assert f"no Kafka broker answered at {address}" in result.stderr


def test_library_progress_bar_counts_acknowledgements(
    settings: Settings, make_topic: Callable[..., str], topic_name: str, capsys: Any
) -> None:
    from streamduck.produce import generate

    topic = make_topic(topic_name)
    settings.producers_dir = PRODUCERS_DIR
    report = generate(settings, "people", topic=topic, count=50, bad_ratio=0.2, progress=True)
    assert (report.acknowledged, report.sent, report.failed, report.bad_total) == (50, 50, 0, 10)
    assert "50/50" in capsys.readouterr().err
