"""Keep check results: a row per expectation in ``_streamduck.check_results`` and GX Data Docs HTML."""

from __future__ import annotations

import datetime
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

    from streamduck.quality.runner import StreamResult

__all__ = ["CHECK_RESULTS_TABLE", "build_data_docs", "save_results"]

log = logging.getLogger(__name__)

CHECK_RESULTS_TABLE = "_streamduck.check_results"


def save_results(
    con: duckdb.DuckDBPyConnection, run_id: str, checked_at: datetime.datetime, results: list[StreamResult]
) -> None:
    """Append one row per evaluated expectation, in one transaction.

    ``con`` comes from :func:`~streamduck.warehouse.connection.connect`, which created the table.
    """
    rows = [
        (
            run_id,
            checked_at,
            result.stream,
            o.expectation,
            o.column,
            o.origin,
            o.success,
            o.element_count,
            o.unexpected_count,
            o.unexpected_percent,
            json.dumps(o.sample, default=str),
            o.error,
        )
        for result in results
        for o in result.outcomes
    ]
    con.execute("BEGIN")
    if rows:
        con.executemany(
            f"INSERT INTO {CHECK_RESULTS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
    con.execute("COMMIT")


def build_data_docs(
    gx_dir: Path, run_id: str, checked_at: datetime.datetime, results: list[StreamResult]
) -> Path:
    """Write the aggregated GX validation results to a file context and rebuild its Data Docs.

    Returns the Data Docs ``index.html``.
    """
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    gx_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(gx_dir))
    run = RunIdentifier(run_name=run_id, run_time=checked_at)
    for result in results:
        suite_id = ExpectationSuiteIdentifier(name=f"streamduck.{result.view}")
        key = ValidationResultIdentifier(
            expectation_suite_identifier=suite_id, run_id=run, batch_identifier=result.view
        )
        context.validation_results_store.store_validation_results(
            suite_validation_result=_suite_result(result, run, checked_at),
            suite_validation_result_identifier=key,
            expectation_suite_identifier=suite_id,
        )
    context.build_data_docs()
    return gx_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def _suite_result(result: StreamResult, run: Any, checked_at: datetime.datetime) -> Any:
    """The view's totals as a GX ``ExpectationSuiteValidationResult`` (what Data Docs renders)."""
    from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    evaluated = [
        ExpectationValidationResult(
            success=o.success,
            expectation_config=ExpectationConfiguration(**o.gx_config) if o.gx_config else None,
            result={
                "element_count": o.element_count,
                "unexpected_count": o.unexpected_count,
                "unexpected_percent": o.unexpected_percent,
                "partial_unexpected_list": [str(v) for v in o.sample],
            },
            exception_info={
                "raised_exception": bool(o.error),
                "exception_message": o.error,
                "exception_traceback": None,
            },
        )
        for o in result.outcomes
    ]
    successful = sum(1 for o in result.outcomes if o.success)
    return ExpectationSuiteValidationResult(
        success=result.success,
        results=evaluated,
        suite_name=f"streamduck.{result.view}",
        statistics={
            "evaluated_expectations": len(evaluated),
            "successful_expectations": successful,
            "unsuccessful_expectations": len(evaluated) - successful,
            "success_percent": 100.0 * successful / len(evaluated) if evaluated else 100.0,
        },
        meta={
            "run_id": run,
            "validation_time": checked_at,
            "rows": result.rows,
            "active_batch_definition": {
                "datasource_name": "streamduck",
                "data_connector_name": "fluent",
                "data_asset_name": result.view,
                "batch_identifiers": {},
            },
        },
        batch_id=f"streamduck-{result.view}",
    )
