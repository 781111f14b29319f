"""Pure logic of the CLI's tabular output: values as ksqlDB writes them in JSON."""

from __future__ import annotations

import datetime as dt
import decimal
import json

from streamduck.cli._output import to_jsonable


def test_decimals_are_exact_json_numbers_and_strings_only_where_a_float_would_round() -> None:
    assert json.dumps(to_jsonable(decimal.Decimal("12345.678"))) == "12345.678"
    assert to_jsonable(decimal.Decimal("2.50")) == 2.5
    assert to_jsonable(decimal.Decimal("-0.001")) == -0.001
    many_digits = decimal.Decimal("12345678901234567890.123456789")
    assert to_jsonable(many_digits) == "12345678901234567890.123456789"


def test_timestamps_carry_milliseconds_like_ksqldb() -> None:
    assert to_jsonable(dt.datetime(2026, 11, 23, 10, 0, 0, 123000)) == "2026-11-23T10:00:00.123"
    assert to_jsonable(dt.datetime(2026, 11, 23, 10, 0)) == "2026-11-23T10:00:00.000"
    assert to_jsonable(dt.datetime(2026, 11, 23, 10, 0, 0, 123456)) == "2026-11-23T10:00:00.123456"
    assert to_jsonable(dt.date(2026, 11, 23)) == "2026-11-23"
