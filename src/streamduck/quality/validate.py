"""Evaluate expectations with Great Expectations over a view streamed in Arrow record batches.

GX's SQL data source does not work over duckdb-engine (metric resolution fails), and a pandas
DataFrame of a whole view would not fit in memory for large tables. So the view is read as a stream of
record batches; GX's pandas data source validates each batch for real, and the per-batch results of
each expectation are added up (element, unexpected and missing counts, a bounded sample of unexpected
values). Only expectations whose table result is the sum of their batch results are allowed (see
``spec._NOT_BATCHABLE``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from streamduck.errors import ConfigError
from streamduck.quality.spec import ExpectationSpec, StreamChecks

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    from great_expectations.data_context import AbstractDataContext

__all__ = ["BATCH_ROWS", "SAMPLE_SIZE", "Aggregate", "validate_view"]

BATCH_ROWS = 250_000
SAMPLE_SIZE = 20
_INDEX = "streamduck_index"


@dataclass
class Aggregate:
    """One expectation's results added up over the batches of a view."""

    spec: ExpectationSpec
    gx_config: dict[str, Any] = field(default_factory=dict)
    success: bool = True
    element_count: int = 0
    unexpected_count: int = 0
    missing_count: int = 0
    sample: list[Any] = field(default_factory=list)
    exception: str | None = None

    def add(self, result: Any) -> None:
        """Fold one GX ``ExpectationValidationResult`` of one batch into the totals."""
        self.gx_config = result.expectation_config.to_json_dict()
        info = result.exception_info or {}
        if info.get("raised_exception"):
            self.success = False
            self.exception = str(info.get("exception_message"))
            return
        self.success = self.success and bool(result.success)
        values = result.result or {}
        self.element_count += int(values.get("element_count") or 0)
        self.unexpected_count += int(values.get("unexpected_count") or 0)
        self.missing_count += int(values.get("missing_count") or 0)
        room = SAMPLE_SIZE - len(self.sample)
        self.sample.extend(_missing_as_none(v) for v in (values.get("partial_unexpected_list") or [])[:room])

    def finish(self) -> None:
        """Re-derive success over the whole view where ``mostly`` allows some unexpected values."""
        mostly = self.spec.kwargs.get("mostly")
        if mostly is None or self.exception:
            return
        checked = self.element_count - self.missing_count
        self.success = checked == 0 or (checked - self.unexpected_count) / checked >= float(mostly)

    @property
    def unexpected_percent(self) -> float:
        checked = self.element_count - self.missing_count
        return 100.0 * self.unexpected_count / checked if checked else 0.0


def _missing_as_none(value: Any) -> Any:
    """pandas shows missing values as NaN; a report should say None."""
    return None if isinstance(value, float) and value != value else value


def build_suite(gx_module: Any, checks: StreamChecks, columns: list[str]) -> Any:
    """A GX ``ExpectationSuite`` for the view, column names resolved case-insensitively."""
    by_upper = {c.upper(): c for c in columns}
    suite = gx_module.ExpectationSuite(name=f"streamduck.{checks.view}")
    for index, spec in enumerate(checks.expectations):
        suite.add_expectation(_expectation(gx_module, spec, by_upper, index))
    return suite


def _expectation(gx_module: Any, spec: ExpectationSpec, by_upper: dict[str, str], index: int) -> Any:
    class_name = "".join(part.capitalize() for part in spec.type.split("_"))
    expectation_class = getattr(gx_module.expectations, class_name, None)
    if expectation_class is None:
        raise ConfigError(f"{spec.origin}: unknown expectation type {spec.type!r}")
    kwargs = dict(spec.kwargs)
    for key in ("column", "column_A", "column_B"):
        if isinstance(kwargs.get(key), str):
            kwargs[key] = by_upper.get(kwargs[key].upper(), kwargs[key])
    if isinstance(kwargs.get("column_list"), list):
        kwargs["column_list"] = [by_upper.get(str(c).upper(), c) for c in kwargs["column_list"]]
    try:
        # GX reorders results; the index in meta ties each result back to its declaration.
        return expectation_class(**kwargs, meta={"origin": spec.origin, _INDEX: index})
    except Exception as exc:  # pydantic validation of the declared arguments
        raise ConfigError(f"{spec.origin}: invalid arguments for {spec.type}: {exc}") from None


def _batches(con: duckdb.DuckDBPyConnection, checks: StreamChecks, batch_rows: int) -> Iterable[pd.DataFrame]:
    quoted = '"' + checks.view.replace('"', '""') + '"'
    reader = con.sql(checks.query or f"SELECT * FROM {quoted}").to_arrow_reader(batch_rows)
    schema = reader.schema
    seen = False
    for record_batch in reader:
        seen = True
        yield record_batch.to_pandas()
    if not seen:  # an empty view still gets validated, so column expectations are evaluated
        yield schema.empty_table().to_pandas()


def validate_view(
    context: AbstractDataContext,
    con: duckdb.DuckDBPyConnection,
    checks: StreamChecks,
    batch_rows: int = BATCH_ROWS,
) -> tuple[list[Aggregate], list[int]]:
    """Validate every batch of ``checks.view``; return the per-expectation totals and the batch sizes."""
    import great_expectations as gx

    datasource = context.data_sources.add_or_update_pandas("streamduck")
    asset = datasource.add_dataframe_asset(checks.view)
    batch_definition = asset.add_batch_definition_whole_dataframe("batches")
    suite = None
    aggregates = [Aggregate(spec) for spec in checks.expectations]
    batch_sizes: list[int] = []
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
    for frame in _batches(con, checks, batch_rows):
        if suite is None:
            suite = build_suite(gx, checks, list(frame.columns))
        batch_sizes.append(len(frame))
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        outcome = batch.validate(suite, result_format=result_format)
        for result in outcome.results:
            aggregates[int(result.expectation_config.meta[_INDEX])].add(result)
    for aggregate in aggregates:
        aggregate.finish()
    return aggregates, batch_sizes
