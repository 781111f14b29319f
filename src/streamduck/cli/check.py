"""``streamduck check``: run the Great Expectations quality checks on the warehouse's views."""

from __future__ import annotations

from typing import Annotated

import typer

from streamduck.cli._app import settings_from
from streamduck.cli._output import Format, FormatOption, render

__all__ = ["register"]


def check(
    ctx: typer.Context,
    streams: Annotated[list[str] | None, typer.Argument(help="Streams to check (default: all).")] = None,
    fmt: FormatOption = Format.table,
    data_docs: Annotated[
        bool,
        typer.Option(
            "--data-docs/--no-data-docs",
            help="Write the run's HTML report (readable offline) and rebuild GX's Data Docs.",
        ),
    ] = True,
) -> None:
    """Validate each stream's view against its expectations; exit 1 if any fails."""
    from streamduck.quality import run_checks

    report = run_checks(settings_from(ctx), streams or None, data_docs=data_docs)
    rows = [
        {
            "stream": s.view,
            "expectation": o.expectation,
            "column": o.column,
            "success": o.success,
            "rows": s.rows,
            "unexpected": o.unexpected_count,
            "sample": o.sample[:5],
        }
        for s in report.streams
        for o in s.outcomes
    ]
    render(rows, fmt, ["stream", "expectation", "column", "success", "rows", "unexpected", "sample"])
    typer.echo(f"{report.passed} passed, {report.failed} failed (run {report.run_id})", err=True)
    if report.success and report.report_page:
        typer.echo(f"Report: {report.report_page}", err=True)  # on failure the summary names it
    report.raise_for_failures()


def register(app: typer.Typer) -> None:
    app.command("check")(check)
