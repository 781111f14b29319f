"""Run the quality checks: read the warehouse read-only, validate with GX, keep and report results."""

from __future__ import annotations

import datetime
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamduck.errors import ConfigError, QualityCheckFailed
from streamduck.quality.spec import StreamChecks, checks_for
from streamduck.settings import Settings
from streamduck.warehouse.waits import WAITS

__all__ = ["CheckReport", "ExpectationOutcome", "StreamResult", "quality_dir_for", "run_checks"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExpectationOutcome:
    """How one expectation fared over a whole view."""

    expectation: str
    column: str | None
    origin: str
    success: bool
    element_count: int
    unexpected_count: int
    unexpected_percent: float
    sample: list[Any]
    error: str | None = None
    gx_config: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def describe(self) -> str:
        """One line, e.g. ``expect_column_values_to_match_regex(EMAIL): 12 of 1000 unexpected (1.2%), e.g. 'x'``."""
        name = f"{self.expectation}({self.column})" if self.column else self.expectation
        if self.error:
            return f"{name}: error: {self.error}"
        text = f"{name}: {self.unexpected_count} of {self.element_count} unexpected ({self.unexpected_percent:.2f}%)"
        if self.sample:
            text += ", e.g. " + ", ".join(repr(v) if isinstance(v, str) else str(v) for v in self.sample[:5])
        return text


@dataclass(frozen=True)
class StreamResult:
    """All outcomes for one stream's view."""

    stream: str
    view: str
    rows: int
    outcomes: tuple[ExpectationOutcome, ...]
    batch_sizes: tuple[int, ...] = ()
    """Rows in each record batch GX validated (memory is bounded by the largest)."""

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]


@dataclass(frozen=True)
class CheckReport:
    """The result of one ``run_checks`` call."""

    run_id: str
    checked_at: datetime.datetime
    streams: tuple[StreamResult, ...]
    data_docs: Path | None = None
    """GX's Data Docs index (its CSS and JavaScript come from CDNs)."""
    report_page: Path | None = None
    """This run's self-contained HTML page (readable offline), see :mod:`streamduck.quality.report_html`."""

    @property
    def success(self) -> bool:
        return all(s.success for s in self.streams)

    @property
    def passed(self) -> int:
        return sum(1 for s in self.streams for o in s.outcomes if o.success)

    @property
    def failed(self) -> int:
        return sum(1 for s in self.streams for o in s.outcomes if not o.success)

    def summary(self) -> str:
        """A readable multi-line report: per stream, rows and passed count, then each failure."""
        lines = []
        for s in self.streams:
            passed = sum(1 for o in s.outcomes if o.success)
            status = "ok" if s.success else "FAILED"
            lines.append(f"{s.view}: {status}, {s.rows} rows, {passed}/{len(s.outcomes)} expectations passed")
            lines += [f"  FAILED {o.describe()}" for o in s.failed]
        if self.report_page:
            lines.append(f"Report: {self.report_page}")
        return "\n".join(lines)

    def raise_for_failures(self) -> None:
        """Raise :class:`QualityCheckFailed` carrying the summary if any expectation failed."""
        if not self.success:
            raise QualityCheckFailed(f"{self.failed} expectation(s) failed\n{self.summary()}")


def quality_dir_for(settings: Settings) -> Path:
    """One folder per warehouse for its check reports, next to it: ``data/warehouse.duckdb`` ->
    ``data/warehouse.quality/`` (so the demo's ``data/demo.duckdb`` has its own).

    It holds ``report/`` (the offline HTML, :mod:`streamduck.quality.report_html`) and GX's file
    context with its Data Docs (``gx/uncommitted/data_docs/local_site/``).
    """
    from streamduck.warehouse.backend import DuckDBFile, DuckLake

    backend = settings.backend
    if isinstance(backend, DuckDBFile):
        stem = backend.path.stem
    elif isinstance(backend, DuckLake):
        stem = "ducklake" if backend.on_postgres else f"{Path(backend.catalog).stem}.ducklake"
    else:
        stem = "warehouse"
    return backend.artifacts_dir() / f"{stem}.quality"


def select_checks(settings: Settings, streams: list[str] | None) -> list[StreamChecks]:
    """The checks for the named streams (all source streams when ``streams`` is empty).

    Raises:
        ConfigError: a named stream is not defined.
    """
    from streamduck.project import Project, find_streams

    declared = Project(settings).declared_streams
    checks = checks_for(declared, settings.streams_dir)
    if not streams:
        return checks
    by_name = {c.stream.upper(): c for c in checks}
    return [by_name[d.name.upper()] for d in find_streams(declared, streams, str(settings.streams_dir))]


def run_checks(
    settings: Settings,
    streams: list[str] | None = None,
    *,
    checks: list[StreamChecks] | None = None,
    data_docs: bool = True,
    batch_rows: int | None = None,
) -> CheckReport:
    """Validate the views of ``streams`` (default: every source stream) and store the results.

    Reads the warehouse read-only, then appends the results to ``_streamduck.check_results`` and,
    with ``data_docs``, writes the run's HTML page and rebuilds GX's Data Docs under
    :func:`quality_dir_for`. Does not raise on failed expectations: call
    :meth:`CheckReport.raise_for_failures`.

    Raises:
        ConfigError: no warehouse file yet, or a bad expectations file or stream name.
        WarehouseLocked: a writer holds the warehouse.
    """
    _quiet_gx_logging()  # before the first GX import, which logs ~220 lines at INFO
    checks = checks if checks is not None else select_checks(settings, streams)
    if not settings.backend.exists():
        raise ConfigError(f"warehouse {settings.backend.location} does not exist yet: load data first")
    run_id = uuid.uuid4().hex[:12]
    checked_at = datetime.datetime.now(datetime.UTC)
    results = _evaluate(settings, checks, batch_rows)
    _save(settings, run_id, checked_at, results)
    docs = page = None
    if data_docs:
        from streamduck.quality.report_html import write_report
        from streamduck.quality.store import build_data_docs

        folder = quality_dir_for(settings)
        page = write_report(folder / "report", run_id, checked_at, results, settings.backend.location)
        docs = build_data_docs(folder, run_id, checked_at, results)
    return CheckReport(run_id, checked_at, tuple(results), docs, page)


def _quiet_gx_logging() -> None:
    """GX logs its import-time bookkeeping at INFO and pins some loggers to INFO: keep them at
    WARNING (or the root logger's level, if that is higher)."""
    quiet = max(logging.WARNING, logging.getLogger().level)
    for name in ("great_expectations", "great_expectations.data_context.types.base"):
        logging.getLogger(name).setLevel(quiet)


def _evaluate(settings: Settings, checks: list[StreamChecks], batch_rows: int | None) -> list[StreamResult]:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from streamduck.quality.validate import BATCH_ROWS, validate_view

    _quiet_gx_logging()  # again: importing GX pinned some of its loggers to INFO
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    con = settings.backend.connect(read_only=True, wait_s=WAITS.read)
    try:
        views = {
            r[0].upper()
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        }
        results = []
        for check in checks:
            if check.view.upper() not in views:
                results.append(_missing_view(check))
                continue
            aggregates, batch_sizes = validate_view(context, con, check, batch_rows or BATCH_ROWS)
            rows = sum(batch_sizes)
            results.append(
                StreamResult(
                    check.stream, check.view, rows, tuple(_outcome(a) for a in aggregates), tuple(batch_sizes)
                )
            )
            log.info("checked %s: %d rows, %d expectations", check.view, rows, len(aggregates))
        return results
    finally:
        con.close()


def _outcome(aggregate: Any) -> ExpectationOutcome:
    spec = aggregate.spec
    return ExpectationOutcome(
        expectation=spec.type,
        column=aggregate.gx_config.get("kwargs", {}).get("column", spec.column),
        origin=spec.origin,
        success=aggregate.success,
        element_count=aggregate.element_count,
        unexpected_count=aggregate.unexpected_count,
        unexpected_percent=aggregate.unexpected_percent,
        sample=aggregate.sample,
        error=aggregate.exception,
        gx_config=aggregate.gx_config,
    )


def _missing_view(check: StreamChecks) -> StreamResult:
    error = f"view {check.view} does not exist in the warehouse (run `streamduck load` or `ksql apply`)"
    outcome = ExpectationOutcome("view_exists", None, "default", False, 0, 0, 0.0, [], error)
    return StreamResult(check.stream, check.view, 0, (outcome,))


def _save(
    settings: Settings, run_id: str, checked_at: datetime.datetime, results: list[StreamResult]
) -> None:
    from streamduck.quality.store import save_results

    con = settings.backend.connect(wait_s=WAITS.read)
    try:
        save_results(con, run_id, checked_at, results)
    finally:
        con.close()
