"""``streamduck produce TOPIC``: the console producer (``kafka-console-producer``), lines from stdin."""

from __future__ import annotations

from typing import Annotated

import typer

from streamduck.cli._app import settings_from

__all__ = ["register"]


def produce(
    ctx: typer.Context,
    topic: Annotated[str, typer.Argument(metavar="TOPIC", help="Topic to write to.")],
    key_separator: Annotated[
        str | None,
        typer.Option(
            "--key-separator",
            help="Split each line into key and value at the first SEP "
            "(like parse.key=true key.separator=SEP); without it keys are null.",
        ),
    ] = None,
) -> None:
    """Send each line of stdin as one record; prints the acknowledged count to stderr."""
    import io
    import sys

    from streamduck.kafka.console import produce_lines

    # Bytes that are not UTF-8 are passed through unchanged rather than failing the run.
    stdin = sys.stdin
    if hasattr(stdin, "buffer"):
        stdin = io.TextIOWrapper(stdin.buffer, encoding="utf-8", errors="surrogateescape")
    count = produce_lines(settings_from(ctx), topic, stdin, key_separator)
    typer.echo(f"{count} records sent to {topic}", err=True)


def register(app: typer.Typer) -> None:
    app.command("produce")(produce)
