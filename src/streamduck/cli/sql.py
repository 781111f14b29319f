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

    from streamduck.ksql.query import push_query, run_query

    settings = settings_from(ctx)
    if not _is_push(query):
        result = run_query(settings, query)
        render(result.rows, fmt, result.columns)
        return
    try:  # like ksqlDB's, a push query with LIMIT n ends after n rows
        for batch in push_query(settings, query, from_beginning=from_beginning, poll_s=poll_ms / 1000):
            render(batch.rows, fmt, batch.columns)
            sys.stdout.flush()  # a pipe is block-buffered: show each batch as it lands
    except KeyboardInterrupt:
        typer.echo("push query stopped", err=True)


def _is_push(query: str) -> bool:
    from sqlglot import exp

    from streamduck.errors import DefinitionError
    from streamduck.ksql.parser import parse_text

    try:
        statements = parse_text(query)
    except DefinitionError:
        return False
    return (
        len(statements) == 1
        and isinstance(statements[0].expression, exp.Select)
        and bool(statements[0].expression.args.get("emit"))
    )


def register(app: typer.Typer) -> None:
    app.command("sql")(sql)
