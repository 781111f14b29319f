"""``streamduck dead-letters list | replay``: inspect and re-ingest quarantined records."""

from __future__ import annotations

from typing import Annotated

import typer

from streamduck.cli._app import settings_from
from streamduck.cli._output import Format, FormatOption, render

__all__ = ["register"]

dead_letters_app = typer.Typer(
    help="Inspect and re-ingest records the loader quarantined.", no_args_is_help=True
)


@dead_letters_app.command("list")
def list_(
    ctx: typer.Context,
    stream: Annotated[str | None, typer.Option(help="Only this stream.")] = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason code (e.g. not_json).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 100,
    fmt: FormatOption = Format.table,
) -> None:
    """List dead letters: coordinates, reason code, detail, key and a value preview."""
    from streamduck.load.dead_letters import list_dead_letters

    rows = list_dead_letters(settings_from(ctx), stream, reason, limit)
    render(
        rows,
        fmt,
        [
            "stream",
            "topic",
            "partition",
            "offset",
            "reason",
            "detail",
            "key",
            "value",
            "value_bytes",
            "dead_at",
        ],
    )


@dead_letters_app.command("replay")
def replay(
    ctx: typer.Context,
    streams: Annotated[list[str] | None, typer.Argument(help="Streams to replay (default: all).")] = None,
    reason: Annotated[str | None, typer.Option(help="Only dead letters with this reason code.")] = None,
    max_value_bytes: Annotated[int, typer.Option(min=1, help="Size limit applied on replay.")] = 256 * 1024,
    fmt: FormatOption = Format.table,
) -> None:
    """Re-check dead letters against the current definitions and load those that now pass (idempotent)."""
    from streamduck.load.dead_letters import replay_dead_letters

    rows = replay_dead_letters(settings_from(ctx), streams or None, reason, max_value_bytes)
    render(rows, fmt, ["stream", "replayed", "still_dead"])


def register(app: typer.Typer) -> None:
    app.add_typer(dead_letters_app, name="dead-letters")
