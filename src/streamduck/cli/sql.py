"""``streamduck sql "QUERY"``: query the warehouse (read-only; works while loaders run)."""

from __future__ import annotations

from typing import Annotated

import typer

from streamduck.cli._app import settings_from
from streamduck.cli._output import Format, FormatOption, render

__all__ = ["register"]


def sql(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="ksqlDB SELECT (EMIT CHANGES to follow) or any DuckDB SQL.")],
    fmt: FormatOption = Format.table,
    from_beginning: Annotated[
        bool, typer.Option("--from-beginning", help="Push query: print existing rows first, then new ones.")
    ] = False,
    poll_ms: Annotated[int, typer.Option(min=50, help="Push query: how often to look for new rows.")] = 1000,
) -> None:
    """Run a query; a SELECT ... EMIT CHANGES prints rows as they are loaded until Ctrl-C."""
    import sys

    from streamduck.ksql.query import parse_query, push_query, run_query

    settings = settings_from(ctx)
    parsed = parse_query(query)  # once: every step below reads this parse
    if not parsed.is_push:
        result = run_query(settings, parsed)
        render(result.rows, fmt, result.columns)
        return

    def started() -> None:  # like ksqlDB's CLI; on stderr, so piped rows stay clean
        typer.echo("Press Ctrl-C to stop: new rows print as they land.", err=True)

    try:  # like ksqlDB's, a push query with LIMIT n ends after n rows
        pushed = push_query(
            settings, parsed, from_beginning=from_beginning, poll_s=poll_ms / 1000, on_started=started
        )
        for batch in pushed:
            render(batch.rows, fmt, batch.columns)
            sys.stdout.flush()  # a pipe is block-buffered: show each batch as it lands
    except KeyboardInterrupt:
        typer.echo("push query stopped", err=True)


def register(app: typer.Typer) -> None:
    app.command("sql")(sql)
