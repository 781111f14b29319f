"""Integration: JSON values read as ksqlDB reads them, through a real load and the typed view."""

from __future__ import annotations

import datetime as dt

from tests.load.conftest import create_topic, define, produce, warehouse_rows

STREAM = (
    "CREATE STREAM orders (id STRING KEY, amount BIGINT, qty INT, note STRING, placed TIMESTAMP) "
    "WITH (kafka_topic='{topic}', value_format='JSON', partitions=1, timestamp='placed');\n"
)


def test_json_as_ksqldb_reads_it(cli, settings, topic_name):
    create_topic(settings, topic_name, 1)
    define(settings, STREAM.format(topic=topic_name), "orders.sql")
    values = [
        b'{"amount": 660.75, "qty": -2.9, "note": "truncated toward zero"}',  # offset 0
        b'{"amount": 1, "amount": 2, "note": "first", "note": "last"}',  # 1: repeated keys, last wins
        b'{"amount": NaN}',  # 2: not JSON (RFC 8259)
        b'{"amount": 5, "qty": Infinity}',  # 3
        b'{"amount": -Infinity}',  # 4
        b'{"amount": 3, "note": "NaN and Infinity inside a string are text"}',  # 5
        b'{"amount": 4, "placed": "2026-11-26T08:05:00+02:00"}',  # 6: converted to UTC
        b'{"amount": 5, "placed": "2026-11-26T08:05:00Z"}',  # 7
        b'{"amount": 6, "placed": "2026-11-26T08:05:00"}',  # 8: no offset is UTC
        b'{"amount": 7, "placed": "2026-11-26T08:05:00.250-0530"}',  # 9
        b'{"amount": "660.75"}',  # 10: a fractional string is no BIGINT (ksqlDB: Long.parseLong)
        b'{"amount": 8, "amount": "x"}',  # 11: the last value decides, and it is no BIGINT
    ]
    produce(settings, topic_name, [(b"k", v) for v in values])
    result = cli("load", "--until-caught-up")
    assert result.exit_code == 0, result.stderr

    rows = {
        offset: (amount, qty, note, placed)
        for offset, amount, qty, note, placed in warehouse_rows(
            settings, "SELECT ROWOFFSET, AMOUNT, QTY, NOTE, PLACED FROM orders"
        )
    }
    assert rows[0][:3] == (660, -2, "truncated toward zero")
    assert rows[1][:3] == (2, None, "last")
    assert rows[5][2] == "NaN and Infinity inside a string are text"
    assert rows[6][3] == dt.datetime(2026, 11, 26, 6, 5)
    assert rows[7][3] == rows[8][3] == dt.datetime(2026, 11, 26, 8, 5)
    assert rows[9][3] == dt.datetime(2026, 11, 26, 13, 35, 0, 250000)
    (rowtime,) = warehouse_rows(settings, "SELECT ROWTIME FROM orders WHERE ROWOFFSET = 6")[0]
    assert rowtime == int(dt.datetime(2026, 11, 26, 6, 5, tzinfo=dt.UTC).timestamp() * 1000)

    dead = dict(
        warehouse_rows(
            settings, 'SELECT "offset", reason FROM _streamduck.dead_letters WHERE stream = ?', ["ORDERS"]
        )
    )
    assert dead == {
        2: "not_json",
        3: "not_json",
        4: "not_json",
        10: "wrong_field_type",
        11: "wrong_field_type",
    }
    assert set(rows) | set(dead) == set(range(len(values)))
