"""The batch evaluator and serialisation, without a broker: statement + Arrow batch → output records."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pyarrow as pa
import pytest

from streamduck.errors import DefinitionError
from streamduck.settings import Settings
from streamduck.transform import load_transform
from streamduck.transform.encode import KeyEncoder
from streamduck.transform.evaluate import BatchEvaluator
from tests.transform.conftest import write_statements

HEADERS = pa.list_(pa.struct([("key", pa.string()), ("value", pa.binary())]))


def _settings(tmp_path: Path) -> Settings:
    (tmp_path / "sql" / "streams").mkdir(parents=True)
    return Settings(sql_dir=tmp_path / "sql")


def _batch(rows: list[tuple[int, int, bytes | None, bytes | None]]) -> pa.Table:
    """Rows of (partition, offset, key, value); timestamps are 1000 × offset."""
    return pa.table(
        {
            "partition": pa.array([r[0] for r in rows], pa.int32()),
            "offset": pa.array([r[1] for r in rows], pa.int64()),
            "timestamp_ms": pa.array([1000 * r[1] for r in rows], pa.int64()),
            "key": pa.array([r[2] for r in rows], pa.binary()),
            "headers": pa.array([[] for _ in rows], HEADERS),
            "value": pa.array([r[3] for r in rows], pa.binary()),
        }
    )


def _order(seq: int, amount: float, customer: str | None = "ann", city: str | None = "Oslo") -> bytes:
    return json.dumps({"seq": seq, "customer": customer, "city": city, "amount": amount}).encode()


def test_filter_projection_and_functions(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    write_statements(settings.sql_dir, "orders", "big")
    evaluator = BatchEvaluator(load_transform(settings, "big_orders"))

    out = evaluator.evaluate(
        _batch(
            [
                (1, 7, b"k1", _order(1, 70.0)),
                (0, 3, b"k0", _order(0, 10.0)),
                (0, 4, b"k2", _order(2, 50.0, city=None)),
            ]
        )
    )

    assert out.keys == [b"k2", b"k1"]  # amount >= 50 only, ordered by (partition, offset)
    assert [json.loads(v) for v in out.values] == [
        {"SEQ": 2, "CUSTOMER": "ANN", "LABEL": "ann from ", "AMOUNT": 50.0},  # CONCAT skips NULL, as ksqlDB
        {"SEQ": 1, "CUSTOMER": "ANN", "LABEL": "ann from Oslo", "AMOUNT": 70.0},
    ]
    assert out.timestamps == [4000, 7000]  # each output record keeps its input's ROWTIME
    assert out.dead_letters == []


def test_undecodable_records_become_dead_letters(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    write_statements(settings.sql_dir, "orders", "big")
    evaluator = BatchEvaluator(load_transform(settings, "BIG_ORDERS"))

    out = evaluator.evaluate(
        _batch([
            (0, 0, b"a", b"{nope"),
            (0, 1, b"b", b'{"seq": 1, "amount": "lots"}'),
            (0, 2, b"c", None),
            (0, 3, b"d", b"\xff\xfe"),
            (0, 4, b"e", b"[1, 2]"),
            (0, 5, b"f", _order(5, 99.0)),
        ])
    )  # fmt: skip

    assert [(d.offset, d.reason) for d in out.dead_letters] == [
        (0, "not_json"), (1, "wrong_field_type"), (2, "tombstone"), (3, "invalid_utf8"), (4, "wrong_root_type"),
    ]  # fmt: skip
    assert out.keys == [b"f"]


def test_json_types_and_json_keys(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    streams = settings.sql_dir / "streams"
    (streams / "events.sql").write_text(
        "CREATE STREAM events (id INT KEY, day DATE, at TIMESTAMP, price DECIMAL(10, 2), raw BYTES)"
        " WITH (kafka_topic='events', value_format='JSON', key_format='JSON');\n"
        "CREATE STREAM copied WITH (kafka_topic='copied') AS SELECT id, day, at, price, raw FROM events;\n"
    )
    evaluator = BatchEvaluator(load_transform(settings, "copied"))
    value = b'{"day": 19000, "at": 1700000000123, "price": 12.5, "raw": "AAE="}'

    out = evaluator.evaluate(_batch([(0, 0, b"42", value)]))

    assert out.keys == [b"42"]
    assert json.loads(out.values[0]) == {"DAY": 19000, "AT": 1700000000123, "PRICE": 12.5, "RAW": "AAE="}


def test_kafka_key_format_packs_primitives() -> None:
    assert KeyEncoder("KAFKA", ["INTEGER"]).encode_all([1, None]) == [struct.pack(">i", 1), None]
    assert KeyEncoder("KAFKA", ["BIGINT"]).encode_all([2]) == [struct.pack(">q", 2)]
    assert KeyEncoder("KAFKA", ["DOUBLE"]).encode_all([0.5]) == [struct.pack(">d", 0.5)]
    assert KeyEncoder("KAFKA", ["VARCHAR"]).encode_all(["é"]) == ["é".encode()]
    assert KeyEncoder("NONE", ["VARCHAR"]).encode_all(["x"]) == [None]
    with pytest.raises(DefinitionError, match="cannot hold a DATE key"):
        KeyEncoder("KAFKA", ["DATE"])


def test_a_table_or_join_is_not_a_transform(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    write_statements(settings.sql_dir, "orders", "big")
    (settings.sql_dir / "streams" / "more.sql").write_text(
        "CREATE TABLE totals AS SELECT id, COUNT(*) AS n FROM orders GROUP BY id;\n"
        "CREATE STREAM joined AS SELECT o.id FROM orders o JOIN orders p WITHIN 1 HOUR ON o.id = p.id;\n"
        "CREATE STREAM orphan AS SELECT id FROM nowhere;\n"
    )

    with pytest.raises(DefinitionError, match="not a TABLE"):
        load_transform(settings, "totals")
    with pytest.raises(DefinitionError, match="stateless"):
        load_transform(settings, "joined")
    with pytest.raises(DefinitionError, match="unknown source stream NOWHERE"):
        load_transform(settings, "orphan")
    with pytest.raises(DefinitionError, match="no CREATE STREAM missing"):
        load_transform(settings, "missing")


def test_an_aliased_key_column_stays_the_key(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    write_statements(settings.sql_dir, "orders", "big")
    (settings.sql_dir / "streams" / "renamed.sql").write_text(
        "CREATE STREAM renamed AS SELECT id AS order_id, seq FROM orders WHERE seq > 1;\n"
    )
    spec = load_transform(settings, "renamed")
    evaluator = BatchEvaluator(spec)

    out = evaluator.evaluate(_batch([(0, 0, b"k1", _order(1, 1.0)), (0, 1, b"k2", _order(2, 2.0))]))

    assert spec.sink_topic == "RENAMED"  # ksqlDB's default KAFKA_TOPIC is the stream's name
    assert spec.key_columns == ("ORDER_ID",)
    assert out.keys == [b"k2"]
    assert [json.loads(v) for v in out.values] == [{"SEQ": 2}]
