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
    import signal
    import sys

    from streamduck.ksql.query import parse_query, push_query, run_query
    from streamduck.process import stop_on_signals

    settings = settings_from(ctx)
    parsed = parse_query(query)  # once: every step below reads this parse
    if not parsed.is_push:
        result = run_query(settings, parsed)
        render(result.rows, fmt, result.columns)
        return

    def started() -> None:  # like ksqlDB's CLI; on stderr, so piped rows stay clean
        typer.echo("Press Ctrl-C to stop: new rows print as they land.", err=True)

    # Ctrl-C stops the query between polls. As a KeyboardInterrupt it could land inside a DuckDB
    # query, and DuckDB 1.5.5 can hang there for good (seen under load: the process never exits).
    with stop_on_signals(signal.SIGINT) as stop:
        pushed = push_query(
            settings, parsed, from_beginning=from_beginning, poll_s=poll_ms / 1000,
            should_stop=stop.is_set, on_started=started,
        )  # fmt: skip
        for batch in pushed:  # like ksqlDB's, a push query with LIMIT n ends after n rows
            render(batch.rows, fmt, batch.columns)
            sys.stdout.flush()  # a pipe is block-buffered: show each batch as it lands
    if stop.is_set():
        typer.echo("push query stopped", err=True)


def register(app: typer.Typer) -> None:
    app.command("sql")(sql)
