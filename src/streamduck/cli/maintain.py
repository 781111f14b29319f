"""``streamduck maintain``: warehouse housekeeping (DuckLake: merge small files, expire snapshots)."""

from __future__ import annotations

from typing import Annotated

import typer

from streamduck.cli._app import settings_from
from streamduck.cli._output import Format, FormatOption, render

__all__ = ["register"]


def maintain(
    ctx: typer.Context,
    older_than: Annotated[
        float,
        typer.Option(
            help="Expire snapshots, and delete files unreferenced for, longer than this many minutes "
            "(readers of older snapshots lose them)."
        ),
    ] = 60.0,
    fmt: FormatOption = Format.table,
) -> None:
    """Merge small files, expire old snapshots and delete unreferenced files (DuckLake); CHECKPOINT a file."""
    import datetime as dt

    from streamduck.errors import ConfigError
    from streamduck.warehouse.maintain import maintain as run

    if older_than < 0:
        raise ConfigError(f"--older-than must be 0 or more minutes, got {older_than}")
    report = run(settings_from(ctx), dt.timedelta(minutes=older_than))
    rows = [
        {"when": when, **figures.__dict__}
        for when, figures in (("before", report.before), ("after", report.after))
        if figures is not None
    ]
    render(rows, fmt, ["when", "data_files", "data_bytes", "snapshots", "files_on_disk"])
    typer.echo(f"{report.warehouse}: {'; '.join(report.steps)} ({report.duration_s:.1f}s)", err=True)


def register(app: typer.Typer) -> None:
    app.command("maintain")(maintain)
