"""Pure logic of the Kafka tooling: k=v parsing, console lines and records, lag, reset planning."""

from __future__ import annotations

import pytest

from streamduck.errors import ConfigError
from streamduck.kafka.configs import parse_config_pairs
from streamduck.kafka.console import format_record, parse_offset
from streamduck.kafka.console_format import ConsoleRecord, LineReader, ParsedLine, RecordFormatter
from streamduck.kafka.groups import ResetTarget, compute_lag, parse_topic_scope, plan_reset
from streamduck.kafka.timestamps import parse_datetime_ms


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


def parse_line(line: str, key_separator: str | None, number: int) -> tuple[bytes | None, bytes | None]:
    parsed = LineReader.from_options(key_separator=key_separator).parse(line, number)
    return parsed.key, parsed.value


def test_line_without_separator_has_null_key() -> None:
    assert parse_line("a:b", None, 1) == (None, b"a:b")


def test_line_splits_at_first_separator() -> None:
    assert parse_line("k::v:w", "::", 1) == (b"k", b"v:w")
    assert parse_line("ключ\tзначение", "\t", 1) == ("ключ".encode(), "значение".encode())


def test_line_missing_separator_names_the_line_number() -> None:
    with pytest.raises(ConfigError, match=r"line 7 has no key separator ':'"):
        parse_line("no separator here", ":", 7)


def test_null_marker_makes_tombstones_and_null_keys() -> None:
    reader = LineReader.from_options({"parse.key": "true", "key.separator": ":"}, null_marker="NULL")
    assert reader.parse("k1:NULL", 1) == ParsedLine(b"k1", None)
    assert reader.parse("NULL:v", 2) == ParsedLine(None, b"v")
    assert reader.parse("k1:NULLx", 3) == ParsedLine(b"k1", b"NULLx")
    assert LineReader.from_options({"null.marker": "-"}).parse("-", 1) == ParsedLine(None, None)


def test_headers_are_parsed_like_kafka_console_producer() -> None:
    reader = LineReader.from_options({"parse.headers": "true"}, key_separator="=")
    assert reader.parse("h1:v1,h2:a:b\tk=v", 1) == ParsedLine(b"k", b"v", [("h1", b"v1"), ("h2", b"a:b")])
    assert reader.parse("\tk=v", 2) == ParsedLine(b"k", b"v", [])
    custom = LineReader.from_options(
        {
            "parse.headers": "true",
            "headers.delimiter": "|",
            "headers.separator": ";",
            "headers.key.separator": "=",
        }
    )
    assert custom.parse("a=1;b=2|value", 1) == ParsedLine(None, b"value", [("a", b"1"), ("b", b"2")])
    with pytest.raises(ConfigError, match="line 3 has no headers delimiter"):
        reader.parse("k=v", 3)
    with pytest.raises(ConfigError, match="line 4: header 'h1' has no value"):
        reader.parse("h1\tk=v", 4)


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ({"parse.kye": "true"}, "'parse.kye' is not a known property"),
        ({"parse.key": "yes"}, "parse.key='yes': expected true or false"),
        ({"key.separator": ""}, "key.separator must not be empty"),
    ],
)
def test_bad_producer_properties_are_named(properties: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        LineReader.from_options(properties)


def test_record_formatting_like_the_console_consumer() -> None:
    record = ConsoleRecord("t", 0, 5, b"k1", "värde".encode())
    assert format_record(record) == "värde"
    assert format_record(record, print_key=True) == "k1\tvärde"
    assert format_record(ConsoleRecord("t", 0, 6, None, None), print_key=True) == "null\tnull"


def test_print_properties_follow_kafkas_default_formatter() -> None:
    record = ConsoleRecord("t", 2, 41, b"k", b"v", 1700000000000, 0, (("h1", b"x"), ("h2", b"y")))
    every = RecordFormatter.from_options(
        {f"print.{p}": "true" for p in ("timestamp", "partition", "offset", "headers", "key")}
    )
    assert every.format(record) == "CreateTime:1700000000000\tPartition:2\tOffset:41\th1:x,h2:y\tk\tv"
    bare = ConsoleRecord("t", 0, 0, None, None, None, -1)
    assert every.format(bare) == "NO_TIMESTAMP\tPartition:0\tOffset:0\tNO_HEADERS\tnull\tnull"
    custom = RecordFormatter.from_options(
        {"print.offset": "true", "print.value": "false", "key.separator": " | ", "null.literal": "<nil>"},
        print_key=True,
    )
    assert custom.format(bare) == "Offset:0 | <nil>"
    with pytest.raises(ConfigError, match="'print.time' is not a known property"):
        RecordFormatter.from_options({"print.time": "true"})


def test_offsets_of_the_console_consumer() -> None:
    assert [parse_offset(t) for t in ("earliest", "latest", "0", "17")] == ["earliest", "latest", 0, 17]
    for bad in ("-1", "first", ""):
        with pytest.raises(ConfigError, match="expected a non-negative number, earliest or latest"):
            parse_offset(bad)


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


def test_reset_plan_follows_kafkas_reset_rules() -> None:
    from kafka import TopicPartition

    p0, p1, p2 = (TopicPartition("t", n) for n in range(3))
    current = {p0: 4, p1: None, p2: 9}
    earliest = {p0: 0, p1: 2, p2: 5}
    latest = {p0: 10, p1: 3, p2: 20}

    def plan(target: ResetTarget, at_time: dict | None = None) -> list[int]:
        planned = plan_reset(current, earliest, latest, target, at_time)
        return [planned[p0], planned[p1], planned[p2]]

    assert plan(ResetTarget("earliest")) == [0, 2, 5]
    assert plan(ResetTarget("latest")) == [10, 3, 20]
    assert plan(ResetTarget("offset", 7)) == [7, 3, 7]
    assert plan(ResetTarget("offset", 0)) == [0, 2, 5]
    assert plan(ResetTarget("current")) == [4, 3, 9]  # no commit: the log end, as Kafka's tool does
    assert plan(ResetTarget("datetime", 123), {p0: 6, p1: None, p2: 5}) == [6, 3, 5]
    del current[p1]
    assert plan_reset(current, earliest, latest, ResetTarget("shift", -3)) == {p0: 1, p2: 6}
    assert plan_reset(current, earliest, latest, ResetTarget("shift", 30)) == {p0: 10, p2: 20}
    current[p1] = None
    with pytest.raises(ConfigError, match=r"cannot shift t\[1\]: the group has no committed offset"):
        plan_reset(current, earliest, latest, ResetTarget("shift", 1))


def test_topic_scope_takes_topic_and_partitions_like_kafka() -> None:
    assert parse_topic_scope(["a", "b:0", "c:1,2", "b:3", "a:1"]) == {"a": None, "b": {0, 3}, "c": {1, 2}}
    for bad in ("b:x", ":1", "c:1,"):
        with pytest.raises(ConfigError, match="is not TOPIC or TOPIC:PARTITION"):
            parse_topic_scope([bad])


def test_datetimes_are_read_like_kafka_consumer_groups() -> None:
    assert parse_datetime_ms("2026-01-31T12:00:00.000Z") == 1769860800000
    assert parse_datetime_ms("2026-01-31T13:00:00+01:00") == 1769860800000
    with pytest.raises(ConfigError, match="--to-datetime 'yesterday' is not a date-time"):
        parse_datetime_ms("yesterday")


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
