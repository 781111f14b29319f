"""Pure logic of expectation declarations: file parsing, defaults, mapping to streams."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from streamduck.errors import ConfigError
from streamduck.quality.spec import checks_for, read_expectations_file
from tests.quality.people import PEOPLE


def test_today_is_replaced_and_dates_parse(tmp_path: Path) -> None:
    path = tmp_path / "fake_people.expectations.yml"
    path.write_text(
        "expectations:\n"
        "  - type: expect_column_values_to_be_between\n"
        "    column: birthdate\n    min_value: 1900-01-01\n    max_value: today\n"
    )
    (spec,) = read_expectations_file(path, today=datetime.date(2026, 11, 23))["expectations"]
    assert spec.kwargs == {
        "column": "birthdate",
        "min_value": datetime.date(1900, 1, 1),
        "max_value": datetime.date(2026, 11, 23),
    }
    assert spec.origin == path.name


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("expectations: [1]", "needs a 'type'"),
        ("expectations:\n  - type: not_an_expectation", "is not a Great Expectations expectation"),
        ("expectations:\n  - type: expect_column_values_to_be_unique\n    column: id", "batch by batch"),
        ("colour: blue", "unknown keys"),
        ("expectations: [", "not valid YAML"),
    ],
)
def test_bad_files_name_the_file_and_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.expectations.yml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as error:
        read_expectations_file(path)
    assert str(path) in str(error.value)


def test_defaults_cover_key_columns_and_casts(tmp_path: Path) -> None:
    (checks,) = checks_for([PEOPLE], tmp_path)
    described = {s.describe() for s in checks.expectations}
    assert "expect_column_values_to_not_be_null(ID)" in described
    assert {"expect_column_to_exist(ID)", "expect_column_to_exist(EMAIL)"} <= described
    assert "expect_column_values_to_be_null(_uncastable_BIRTHDATE)" in described
    assert "_uncastable_EMAIL" in (checks.query or "")


def test_file_adds_to_defaults_and_can_turn_them_off(tmp_path: Path) -> None:
    (tmp_path / "fake_people.expectations.yml").write_text(
        "defaults: false\nexpectations:\n  - type: expect_column_values_to_not_be_null\n    column: email\n"
    )
    (checks,) = checks_for([PEOPLE], tmp_path)
    assert [s.describe() for s in checks.expectations] == ["expect_column_values_to_not_be_null(email)"]


def test_file_for_an_unknown_stream_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "ghosts.expectations.yml").write_text("expectations: []\n")
    with pytest.raises(ConfigError, match="no stream 'GHOSTS'"):
        checks_for([PEOPLE], tmp_path)
