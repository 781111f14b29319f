"""``streamduck reset STREAM``: move a stream's warehouse position coherently (a dry run by default)."""

from __future__ import annotations

from typing import Annotated

import typer

from streamduck.cli._app import settings_from
from streamduck.cli._output import Format, FormatOption, render

__all__ = ["register"]


def reset(
    ctx: typer.Context,
    stream: Annotated[str, typer.Argument(help="The source stream whose warehouse position moves.")],
    to_earliest: Annotated[
        bool, typer.Option("--to-earliest", help="To each partition's first record.")
    ] = False,
    to_latest: Annotated[
        bool, typer.Option("--to-latest", help="To each partition's end (skips the rest).")
    ] = False,
    to_offset: Annotated[
        list[str] | None, typer.Option("--to-offset", help="P:N, partition P to offset N (repeatable).")
    ] = None,
    to_datetime: Annotated[
        str | None,
        typer.Option(
            "--to-datetime", help="To the first record at or after this ISO time (UTC if no offset)."
        ),
    ] = None,
    shift_by: Annotated[
        int | None, typer.Option("--shift-by", help="Move each partition by N (negative: back).")
    ] = None,
    execute: Annotated[
        bool, typer.Option("--execute", help="Carry it out (default: show what would happen).")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Move STREAM's warehouse offsets; rewinding deletes the rows at and after the new position in
    the same transaction, so the next load re-lands them exactly once."""
    import datetime as dt

    from streamduck.errors import ConfigError
    from streamduck.load.reset import ResetTarget, reset_stream

    offsets = None
    if to_offset:
        offsets = {}
        for item in to_offset:
            partition, _, offset = item.partition(":")
            if not (partition.strip().isdigit() and offset.strip().lstrip("-").isdigit()):
                raise ConfigError(f"--to-offset takes PARTITION:OFFSET, e.g. 0:1200, not {item!r}")
            offsets[int(partition)] = int(offset)
    at = None
    if to_datetime is not None:
        try:
            at = dt.datetime.fromisoformat(to_datetime)
        except ValueError:
            raise ConfigError(
                f"--to-datetime takes an ISO 8601 time, e.g. 2026-11-26T08:00:00Z, not {to_datetime!r}"
            ) from None
    target = ResetTarget(to_earliest, to_latest, offsets, at, shift_by)
    moves = reset_stream(settings_from(ctx), stream, target, execute=execute)
    render(
        [
            {"partition": m.partition, "current": m.current, "new": m.new, "action": m.action, "rows": m.rows}
            for m in moves
        ],
        fmt,
        ["partition", "current", "new", "action", "rows"],
    )
    changed = sum(1 for m in moves if m.action != "unchanged")
    if execute:
        typer.echo(f"reset {stream}: {changed} partitions moved ({target.describe()})", err=True)
    else:
        typer.echo(f"dry run: nothing changed; add --execute to move {changed} partitions", err=True)


def register(app: typer.Typer) -> None:
    app.command("reset")(reset)
