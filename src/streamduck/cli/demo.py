"""``streamduck demo``: run the whole pipeline on embedded defaults and print what happened."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer

from streamduck.cli._app import settings_from

__all__ = ["register"]


def demo(
    ctx: typer.Context,
    count: Annotated[int, typer.Option(help="Fake people to produce.", min=1)] = 2000,
    bad_ratio: Annotated[float, typer.Option(help="Share of malformed records.", min=0.0, max=1.0)] = 0.02,
    seed: Annotated[int, typer.Option(help="Random seed of the fake data.")] = 42,
    warehouse: Annotated[
        Path, typer.Option("--demo-warehouse", help="Warehouse file of the demo, recreated on every run.")
    ] = Path("data/demo.duckdb"),
) -> None:
    """Embedded broker → sql/streams → fake people → load → checks → sample query. No Docker needed."""
    import sys

    from streamduck.cli._output import render
    from streamduck.demo import run_demo

    settings = settings_from(ctx)
    typer.echo("starting the embedded broker and running the pipeline ...", err=True)
    report = run_demo(
        settings.sql_dir, warehouse, count=count, bad_ratio=bad_ratio, seed=seed, progress=sys.stderr.isatty()
    )
    typer.echo(f"broker        {report.bootstrap_servers} (embedded, stopped again)")
    typer.echo(f"topics        {', '.join(report.topics) or '-'} (created)")
    typer.echo(f"produced      {report.produced} records, {report.bad_produced} of them malformed on purpose")
    for s in report.streams:
        typer.echo(
            f"loaded        {s.get('stream')}: {s.get('rows')} rows, {s.get('dead_letters')} dead letters"
        )
    typer.echo(f"load rate     {report.load_rate:,.0f} records/s ({report.load_seconds:.2f} s)")
    typer.echo(f"checks        {report.checks_passed} passed, {report.checks_failed} failed")
    for line in report.check_summary.splitlines():
        typer.echo(f"              {line}")
    typer.echo(f"warehouse     {report.warehouse}")
    typer.echo(f"\n{report.sample_query}")
    render(
        [dict(zip(report.sample_columns, row, strict=True)) for row in report.sample_rows],
        columns=report.sample_columns,
    )
    hint = f"{_this_command()} --warehouse {shlex.quote(str(report.warehouse))} sql {shlex.quote(report.sample_query)}"
    typer.echo(f"\nQuery it yourself: {hint}")


def _this_command() -> str:
    """How to run streamduck again the way this run was started, so the printed hint works as is.

    ``uv run`` tells its child where uv is (``UV``); otherwise ``streamduck`` if PATH finds this
    very program, else its full path (a virtualenv that is not activated).
    """
    import os
    import shutil
    import sys

    if os.environ.get("UV"):
        return "uv run streamduck"
    program = Path(sys.argv[0]).resolve()
    on_path = shutil.which("streamduck")
    if on_path and Path(on_path).resolve() == program:
        return "streamduck"
    return shlex.quote(str(program))


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
