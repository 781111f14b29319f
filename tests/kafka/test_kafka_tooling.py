"""Pure logic of the Kafka tooling: k=v parsing, console lines and records, lag, reset planning."""

from __future__ import annotations

import pytest

from streamduck.errors import ConfigError
from streamduck.kafka.configs import parse_config_pairs
from streamduck.kafka.console import ConsoleRecord, format_record, parse_line
from streamduck.kafka.groups import compute_lag, plan_reset


def test_config_pairs_split_at_the_first_equals_sign() -> None:
    assert parse_config_pairs(["retention.ms=1000", "cleanup.policy=compact,delete", "x=a=b", "empty="]) == {
        "retention.ms": "1000",
        "cleanup.policy": "compact,delete",
        "x": "a=b",
        "empty": "",
    }


@pytest.mark.parametrize("bad", ["retention.ms", "=1000", " =1"])
def test_malformed_config_pair_is_named(bad: str) -> None:
    with pytest.raises(ConfigError, match=f"--add-config {bad!r} is not of the form key=value"):
        parse_config_pairs(["a=1", bad], option="--add-config")


def test_line_without_separator_has_null_key() -> None:
    assert parse_line("a:b", None, 1) == (None, b"a:b")


def test_line_splits_at_first_separator() -> None:
    assert parse_line("k::v:w", "::", 1) == (b"k", b"v:w")
    assert parse_line("ключ\tзначение", "\t", 1) == ("ключ".encode(), "значение".encode())


def test_line_missing_separator_names_the_line_number() -> None:
    with pytest.raises(ConfigError, match=r"line 7 has no key separator ':'"):
        parse_line("no separator here", ":", 7)


def test_record_formatting_like_the_console_consumer() -> None:
    record = ConsoleRecord("t", 0, 5, b"k1", "värde".encode())
    assert format_record(record) == "värde"
    assert format_record(record, print_key=True) == "k1\tvärde"
    assert format_record(ConsoleRecord("t", 0, 6, None, None), print_key=True) == "null\tnull"


def test_undecodable_bytes_are_escaped_not_fatal() -> None:
    assert (
        format_record(ConsoleRecord("t", 0, 0, b"\xff", b"ok\xc3\x28end"), print_key=True)
        == "\\xff\tok\\xc3(end"
    )


@pytest.mark.parametrize(
    ("committed", "end", "lag"), [(3, 10, 7), (10, 10, 0), (None, 10, None), (5, None, None), (12, 10, 0)]
)
def test_lag_is_end_minus_committed_or_unknown(
    committed: int | None, end: int | None, lag: int | None
) -> None:
    assert compute_lag(committed, end) == lag


def test_reset_plan_targets_and_clamps_explicit_offsets() -> None:
    current = {"p0": 4, "p1": None, "p2": 9}
    earliest = {"p0": 0, "p1": 2, "p2": 5}
    latest = {"p0": 10, "p1": 3, "p2": 20}
    assert plan_reset(current, earliest, latest, "earliest") == {"p0": 0, "p1": 2, "p2": 5}
    assert plan_reset(current, earliest, latest, "latest") == {"p0": 10, "p1": 3, "p2": 20}
    assert plan_reset(current, earliest, latest, 7) == {"p0": 7, "p1": 3, "p2": 7}
    assert plan_reset(current, earliest, latest, 0) == {"p0": 0, "p1": 2, "p2": 5}


def test_overrides_follow_kafka_sources() -> None:
    from streamduck.kafka.configs import select_overrides

    kafka_answer = {
        "retention.ms": {"value": "5", "config_source": "DYNAMIC_TOPIC_CONFIG"},
        "segment.bytes": {"value": "1", "config_source": "DEFAULT_CONFIG"},
        "min.insync.replicas": {"value": "1", "config_source": "STATIC_BROKER_CONFIG"},
    }
    assert list(select_overrides(kafka_answer)) == ["retention.ms"]
    assert select_overrides({k: v for k, v in kafka_answer.items() if k != "retention.ms"}) == {}


def test_overrides_on_a_broker_that_reports_every_source_as_default() -> None:
    from streamduck.kafka.configs import select_overrides

    tansu_answer = {"retention.ms": {"value": "5", "config_source": "DEFAULT_CONFIG"}}
    assert list(select_overrides(tansu_answer)) == ["retention.ms"]
