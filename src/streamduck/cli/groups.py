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
        typer.Option("--topic", "-t", help="Topic to reset (repeatable; default: the group's topics)."),
    ] = None,
    to_earliest: Annotated[bool, typer.Option("--to-earliest", help="Reset to the oldest offset.")] = False,
    to_latest: Annotated[bool, typer.Option("--to-latest", help="Reset to the log-end offset.")] = False,
    to_offset: Annotated[
        int | None, typer.Option("--to-offset", min=0, help="Reset to offset N (clamped).")
    ] = None,
    execute: Annotated[bool, typer.Option("--execute", help="Commit the plan (default: dry run).")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Show (dry run) or, with --execute, commit new offsets for an inactive group."""
    from streamduck.kafka.groups import RESET_COLUMNS
    from streamduck.kafka.groups import reset_offsets as reset

    chosen = [
        t
        for t, on in (("earliest", to_earliest), ("latest", to_latest), (to_offset, to_offset is not None))
        if on
    ]
    if len(chosen) != 1:
        raise typer.BadParameter("give exactly one of --to-earliest, --to-latest, --to-offset N")
    rows = reset(settings_from(ctx), group, chosen[0], topic or [], execute=execute)
    render(rows, fmt, RESET_COLUMNS)
    if not execute:
        typer.echo("Dry run: nothing committed. Add --execute to apply.", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(groups_app, name="groups")
