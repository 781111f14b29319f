"""GX checks over real DuckDB warehouses laid out by the loader: failures, storage, scale."""

from __future__ import annotations

import json
import time
from pathlib import Path

import duckdb
import pytest

from streamduck.errors import QualityCheckFailed
from streamduck.quality import run_checks
from streamduck.quality.spec import checks_for
from streamduck.settings import Settings
from streamduck.warehouse.landing import land_records
from streamduck.warehouse.layout import ensure_source
from tests.quality.people import PEOPLE

EXPECTATIONS = (
    Path(__file__).resolve().parents[2] / "sql" / "streams" / "fake_people.expectations.yml"
).read_text()


def _warehouse(tmp_path: Path, rows_sql: str) -> Settings:
    """A warehouse with the loader's layout for PEOPLE; records from ``rows_sql`` (key, value), landed
    as a definition change would re-type them (values that do not fit their column read as NULL)."""
    settings = Settings(warehouse=tmp_path / "w.duckdb", sql_dir=tmp_path / "sql")
    settings.streams_dir.mkdir(parents=True)
    (settings.streams_dir / "fake_people.expectations.yml").write_text(EXPECTATIONS)
    con = duckdb.connect(str(settings.warehouse))
    ensure_source(con, PEOPLE)
    land_records(
        con,
        PEOPLE,
        "(SELECT 0 AS partition, row_number() OVER () - 1 AS offset, 0 AS timestamp_ms, k::BLOB AS key, "
        f"[]::STRUCT(key VARCHAR, value BLOB)[] AS headers, v AS text FROM ({rows_sql}) AS t(k, v))",
    )
    con.close()
    return settings


def _values(*rows: tuple[str | None, dict]) -> str:
    return " UNION ALL ".join(
        f"SELECT {('NULL' if k is None else repr(k))}, {json.dumps(v)!r}" for k, v in rows
    )


def test_bad_rows_fail_naming_expectation_count_and_samples(tmp_path: Path) -> None:
    good = {"email": "ada@example.com", "birthdate": "1990-05-01"}
    settings = _warehouse(
        tmp_path,
        _values(
            ("1", good),
            ("2", {"email": "not-an-email", "birthdate": "1990-05-01"}),
            ("3", {"email": "old@example.com", "birthdate": "1850-01-01"}),
            ("4", {"email": "cast@example.com", "birthdate": "someday"}),
            (None, good),
        ),
    )
    report = run_checks(settings, checks=checks_for([PEOPLE], settings.streams_dir))

    assert not report.success
    failed = {o.expectation + "/" + str(o.column): o for s in report.streams for o in s.failed}
    assert set(failed) == {
        "expect_column_values_to_match_regex/EMAIL",
        "expect_column_values_to_be_between/BIRTHDATE",
        "expect_column_values_to_not_be_null/ID",
        "expect_column_values_to_be_null/_uncastable_BIRTHDATE",
    }
    assert failed["expect_column_values_to_match_regex/EMAIL"].unexpected_count == 1
    assert failed["expect_column_values_to_match_regex/EMAIL"].sample == ["not-an-email"]
    assert failed["expect_column_values_to_be_null/_uncastable_BIRTHDATE"].sample == ["someday"]
    with pytest.raises(QualityCheckFailed) as error:
        report.raise_for_failures()
    assert (
        "expect_column_values_to_match_regex(EMAIL): 1 of 5 unexpected (20.00%), e.g. 'not-an-email'"
        in str(error.value)
    )


def test_results_are_stored_in_warehouse_and_data_docs(tmp_path: Path) -> None:
    settings = _warehouse(tmp_path, _values(("1", {"email": "ada@example.com", "birthdate": "1990-05-01"})))
    report = run_checks(settings, checks=checks_for([PEOPLE], settings.streams_dir))

    assert report.success and report.failed == 0 and report.passed == 8
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    stored = con.execute(
        "SELECT count(*), bool_and(success), any_value(run_id) FROM _streamduck.check_results"
    ).fetchone()
    con.close()
    assert stored == (8, True, report.run_id)
    assert report.data_docs is not None and report.data_docs.exists()
    pages = list(report.data_docs.parent.rglob("*.html"))
    assert any("FAKE_PEOPLE" in p.read_text() for p in pages if "validations" in str(p))


def test_the_report_reads_offline_one_site_per_warehouse_without_internal_columns(tmp_path: Path) -> None:
    import re

    from streamduck.quality.runner import quality_dir_for

    rows = _values(("1", {"email": "not-an-email", "birthdate": "someday"}))
    settings = _warehouse(tmp_path, rows)
    first = run_checks(settings, checks=checks_for([PEOPLE], settings.streams_dir))
    second = run_checks(settings, checks=checks_for([PEOPLE], settings.streams_dir))
    folder = quality_dir_for(settings)
    assert (
        folder == tmp_path / "w.quality"
        and second.report_page == folder / "report" / f"runs/{second.run_id}.html"
    )

    page = second.report_page.read_text()
    index = (folder / "report" / "index.html").read_text()
    for html in (page, index):
        # Self-contained: inline CSS, no script, no URL that needs a network (or any other host).
        assert "<style>" in html and "<script" not in html
        assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "_uncastable_" not in page and "BIRTHDATE" in page and "values cast to the declared type" in page
    assert "FAILED" in page and "&quot;not-an-email&quot;" in page and "&quot;someday&quot;" in page
    assert index.index(second.run_id) < index.index(first.run_id)  # newest first, both listed
    assert f"Report: {second.report_page}" in second.summary()

    other = Settings(warehouse=tmp_path / "demo.duckdb", sql_dir=settings.sql_dir)
    assert quality_dir_for(other) == tmp_path / "demo.quality"  # the demo's site is its own


def test_missing_view_is_a_failure_not_a_skip(tmp_path: Path) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb", sql_dir=tmp_path / "sql")
    settings.streams_dir.mkdir(parents=True)
    duckdb.connect(str(settings.warehouse)).close()
    report = run_checks(settings, checks=checks_for([PEOPLE], settings.streams_dir), data_docs=False)
    assert not report.success
    assert "view FAKE_PEOPLE does not exist" in report.summary()


@pytest.mark.slow
def test_one_million_rows_check_in_seconds_in_bounded_batches(tmp_path: Path) -> None:
    rows = (
        "SELECT 'id' || i, json_object('email', CASE WHEN i % 100000 = 7 THEN 'broken' ELSE 'p' || i || '@example.com' END,"
        " 'birthdate', (DATE '1950-01-01' + (i % 20000)::INT)::VARCHAR)::VARCHAR FROM range(1000000) AS r(i)"
    )
    settings = _warehouse(tmp_path, rows)
    checks = checks_for([PEOPLE], settings.streams_dir)
    started = time.perf_counter()
    report = run_checks(settings, checks=checks, data_docs=False, batch_rows=200_000)
    elapsed = time.perf_counter() - started

    (stream,) = report.streams
    assert stream.rows == 1_000_000
    # Streamed: never more than one batch of the view in memory at a time.
    assert len(stream.batch_sizes) >= 5 and max(stream.batch_sizes) <= 200_000
    (failed,) = stream.failed
    assert failed.expectation == "expect_column_values_to_match_regex"
    assert failed.unexpected_count == 10 and failed.element_count == 1_000_000
    assert elapsed < 30, f"1M rows took {elapsed:.1f}s"
