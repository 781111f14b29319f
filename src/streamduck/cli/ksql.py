"""``streamduck ksql apply|list|describe``: ksqlDB-style statements against the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from streamduck.cli._app import settings_from
from streamduck.cli._output import Format, FormatOption, render

__all__ = ["register"]

ksql_app = typer.Typer(
    help="Apply ksqlDB-style statements; list and describe streams and tables.", no_args_is_help=True
)


@ksql_app.command("apply")
def apply(
    ctx: typer.Context,
    path: Annotated[
        Path | None, typer.Argument(help="A .sql file or a folder of them [default: SQL_DIR/streams].")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Create topics, register definitions and create views; each file in one transaction."""
    from streamduck.ksql.apply import apply_path

    settings = settings_from(ctx)
    report = apply_path(settings, path or settings.streams_dir)
    for topic in report.topics_created:
        typer.echo(f"Created topic {topic}.", err=True)
    for warning in report.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    render(report.rows(), fmt, ["action", "kind", "name", "topic", "where"])


@ksql_app.command("list")
def list_(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Streams and tables registered in the warehouse (like SHOW STREAMS and SHOW TABLES)."""
    from streamduck.ksql.inspect import list_definitions

    render(list_definitions(settings_from(ctx)), fmt, ["name", "kind", "origin", "topic", "key", "file"])


@ksql_app.command("describe")
def describe(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Stream or table name.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Columns and types of a stream or table, then its statement (like DESCRIBE)."""
    from streamduck.ksql.inspect import describe_definition

    entry, columns = describe_definition(settings_from(ctx), name)
    render(columns, fmt, ["column", "type", "role"], title=f"{entry.kind} {entry.name} (topic {entry.topic})")
    if fmt is Format.table:
        typer.echo(f"\n{entry.statement};")


def register(app: typer.Typer) -> None:
    app.add_typer(ksql_app, name="ksql")
