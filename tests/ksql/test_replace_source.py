"""CREATE OR REPLACE of a loaded source: history re-typed from the kept bytes, readers kept coherent."""

from __future__ import annotations

import json
from decimal import Decimal

import duckdb
import pytest

from streamduck.errors import DefinitionError
from streamduck.ksql.apply import apply_path
from tests.landing import land

VIEWS = """
CREATE STREAM big_orders AS SELECT id, customer, amount FROM orders WHERE amount > 10;
CREATE TABLE per_customer AS SELECT customer, COUNT(*) AS n FROM orders GROUP BY customer;
CREATE STREAM shouting AS SELECT UCASE(customer) AS who FROM orders;
"""
ORDERS = [
    {"customer": "ada", "amount": 12.5, "note": "first", "qty": "3"},
    {"customer": "bob", "amount": 7, "note": "second", "qty": 4},
    {"customer": "ada", "amount": 30, "qty": "many"},
]


def _source(topic: str, columns: str, replace: bool = True) -> str:
    verb = "CREATE OR REPLACE" if replace else "CREATE"
    return f"{verb} STREAM orders (id STRING KEY, {columns}) WITH (kafka_topic='{topic}', value_format='JSON', partitions=1);\n"


@pytest.fixture
def orders(settings, topic_name):
    """orders.sql: a source and three views reading its ``customer``; three orders landed."""
    path = settings.streams_dir / "orders.sql"
    path.write_text(_source(topic_name, "customer STRING, amount DOUBLE", replace=False) + VIEWS)
    apply_path(settings, path)
    con = duckdb.connect(str(settings.warehouse))
    land(con, "ORDERS", [(0, i, 1000 + i, f"o{i}".encode(), [], json.dumps(v)) for i, v in enumerate(ORDERS)])
    con.close()
    return path


def _rows(settings, sql: str) -> list[tuple]:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_renaming_a_column_the_views_read_fails_naming_them_and_changes_nothing(settings, orders, topic_name):
    orders.write_text(_source(topic_name, "client STRING, amount DOUBLE") + VIEWS)
    with pytest.raises(DefinitionError) as refused:
        apply_path(settings, orders)
    message = str(refused.value)
    assert "\n" not in message and "replacing ORDERS breaks the views that read it" in message
    for view in ("BIG_ORDERS", "PER_CUSTOMER", "SHOUTING"):
        assert view in message
    assert 'column "CUSTOMER"' in message.upper() or "CUSTOMER" in message
    # nothing of the file applied: the old columns, the old rows, the views still answer
    assert _rows(settings, "SELECT CUSTOMER, AMOUNT FROM orders ORDER BY ROWOFFSET") == [
        ("ada", 12.5),
        ("bob", 7.0),
        ("ada", 30.0),
    ]
    assert _rows(settings, "SELECT * FROM per_customer ORDER BY 1") == [("ada", 2), ("bob", 1)]


def test_renaming_in_the_views_too_applies_and_rereads_history(settings, orders, topic_name):
    renamed = VIEWS.replace("customer,", "client,").replace("(customer)", "(client)")
    renamed = renamed.replace("BY customer", "BY client")  # the views keep their names
    orders.write_text(
        _source(topic_name, "client STRING, amount DOUBLE") + renamed.replace("CREATE ", "CREATE OR REPLACE ")
    )
    apply_path(settings, orders)
    # CLIENT is read from the field "client", which the kept records do not have
    assert _rows(settings, "SELECT ID, CLIENT, AMOUNT FROM orders ORDER BY ID") == [
        ("o0", None, 12.5),
        ("o1", None, 7.0),
        ("o2", None, 30.0),
    ]
    assert _rows(settings, "SELECT * FROM per_customer") == []  # ksqlDB drops NULL group keys


def test_adding_retyping_and_dropping_columns_backfills_from_the_kept_bytes(settings, orders, topic_name):
    # note and qty were never declared: both come back from the bytes; amount becomes a DECIMAL
    orders.write_text(
        _source(topic_name, "customer STRING, amount DECIMAL(6, 1), note STRING, qty INT") + VIEWS
    )
    report = apply_path(settings, orders)
    assert ("replaced", "ORDERS") in [(o.action, o.name) for o in report.outcomes]
    assert {o.name for o in report.outcomes if o.action == "recompiled"} == {
        "BIG_ORDERS",
        "PER_CUSTOMER",
        "SHOUTING",
    }
    assert _rows(settings, "SELECT ID, CUSTOMER, AMOUNT, NOTE, QTY FROM orders ORDER BY ID") == [
        ("o0", "ada", Decimal("12.5"), "first", 3),  # "3": a numeric string reads as INT, as in ksqlDB
        ("o1", "bob", Decimal("7.0"), "second", 4),
        ("o2", "ada", Decimal("30.0"), None, None),  # "many" is no INT: NULL
    ]
    types = dict(
        _rows(settings, "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'BIG_ORDERS'")
    )
    assert types["AMOUNT"] == "DECIMAL(6,1)"  # the view was recompiled over the new type
    assert _rows(settings, "SELECT ID FROM big_orders ORDER BY ID") == [("o0",), ("o2",)]

    kept_views = VIEWS.split(";")[1] + ";" + VIEWS.split(";")[2] + ";"  # all but BIG_ORDERS
    orders.write_text(_source(topic_name, "customer STRING") + kept_views)
    with pytest.raises(DefinitionError, match="BIG_ORDERS"):  # still reads amount
        apply_path(settings, orders)
    orders.write_text(_source(topic_name, "customer STRING") + "DROP STREAM big_orders;\n" + kept_views)
    apply_path(settings, orders)
    assert _rows(settings, "SELECT * FROM orders ORDER BY ID LIMIT 1") == [("o0", "ada", 1000, 0, 0)]
    landed = _rows(settings, 'SELECT count(*), count(DISTINCT "__value") FROM raw.ORDERS')
    assert landed == [(3, 3)]  # the bytes stay, for the next change
