"""``streamduck groups list|describe|reset-offsets``: ``kafka-consumer-groups`` for streamduck."""

from __future__ import annotations

from typing import Annotated

import typer

from streamduck.cli._app import settings_from
from streamduck.cli._output import Format, FormatOption, render

__all__ = ["register"]

groups_app = typer.Typer(
    help="Consumer groups: list, lag, offset resets (like kafka-consumer-groups).", no_args_is_help=True
)


@groups_app.command("list")
def list_(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Consumer groups the broker knows, with state and member count."""
    from streamduck.kafka.groups import list_groups

    render(list_groups(settings_from(ctx)), fmt, ["group", "state", "protocol_type", "members"])


@groups_app.command("describe")
def describe(
    ctx: typer.Context,
    group: Annotated[str, typer.Argument(metavar="GROUP", help="Group id.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Per partition: committed offset, log-end offset, lag (- without a commit), owner, warehouse offset."""
    from streamduck.kafka.groups import DESCRIBE_COLUMNS, describe_group
    from streamduck.load.status import warehouse_offsets

    settings = settings_from(ctx)
    rows = describe_group(settings, group)
    held = warehouse_offsets(settings, group)  # the loader's own offsets, committed with the rows
    for row in rows:
        row["warehouse_offset"] = held.get((row["topic"], row["partition"]))
    render(rows, fmt, [*DESCRIBE_COLUMNS, "warehouse_offset"])


@groups_app.command("reset-offsets")
def reset_offsets(
    ctx: typer.Context,
    group: Annotated[str, typer.Argument(metavar="GROUP", help="Group id (must be inactive).")],
    topic: Annotated[
        list[str] | None,
        typer.Option(
            "--topic",
            "-t",
            help="TOPIC or TOPIC:P[,P...] to reset (repeatable; default: the group's topics).",
        ),
    ] = None,
    to_earliest: Annotated[bool, typer.Option("--to-earliest", help="Reset to the oldest offset.")] = False,
    to_latest: Annotated[bool, typer.Option("--to-latest", help="Reset to the log-end offset.")] = False,
    to_current: Annotated[
        bool, typer.Option("--to-current", help="Reset to the committed offset (log end without one).")
    ] = False,
    to_offset: Annotated[
        int | None, typer.Option("--to-offset", min=0, help="Reset to offset N (clamped).")
    ] = None,
    shift_by: Annotated[
        int | None,
        typer.Option("--shift-by", help="Move the committed offset by N (negative: back), clamped."),
    ] = None,
    to_datetime: Annotated[
        str | None,
        typer.Option(
            "--to-datetime",
            help="Reset to the first record at or after this time, e.g. 2026-01-31T12:00:00.000 "
            "(local time unless it ends in Z or +hh:mm).",
        ),
    ] = None,
    execute: Annotated[bool, typer.Option("--execute", help="Commit the plan (default: dry run).")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Show (dry run) or, with --execute, commit new offsets for an inactive group."""
    from streamduck.kafka.groups import RESET_COLUMNS, ResetTarget
    from streamduck.kafka.groups import reset_offsets as reset
    from streamduck.kafka.timestamps import parse_datetime_ms

    given = {
        "--to-earliest": ResetTarget("earliest") if to_earliest else None,
        "--to-latest": ResetTarget("latest") if to_latest else None,
        "--to-current": ResetTarget("current") if to_current else None,
        "--to-offset": None if to_offset is None else ResetTarget("offset", to_offset),
        "--shift-by": None if shift_by is None else ResetTarget("shift", shift_by),
        "--to-datetime": None
        if to_datetime is None
        else ResetTarget("datetime", parse_datetime_ms(to_datetime)),
    }
    chosen = [target for target in given.values() if target is not None]
    if len(chosen) != 1:
        raise typer.BadParameter(f"give exactly one of {', '.join(given)}")
    from streamduck.load.reset import refuse_loader_group

    refuse_loader_group(settings_from(ctx), group, topic)
    rows = reset(settings_from(ctx), group, chosen[0], topic or [], execute=execute)
    render(rows, fmt, RESET_COLUMNS)
    if execute:
        moved = sum(row["new_offset"] != row["current_offset"] for row in rows)
        typer.echo(
            f"Committed new offsets of group {group} for {len(rows)} partition(s) ({moved} moved).", err=True
        )
    else:
        typer.echo("Dry run: nothing committed. Add --execute to apply.", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(groups_app, name="groups")
