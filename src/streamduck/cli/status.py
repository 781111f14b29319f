"""``streamduck status``: per stream, how far the warehouse is behind the topic."""

from __future__ import annotations

from typing import Annotated

import typer

from streamduck.cli._app import settings_from
from streamduck.cli._output import Format, FormatOption, render

__all__ = ["register"]

_COLUMNS = [
    "stream",
    "topic",
    "end_offsets",
    "warehouse_offsets",
    "lag",
    "rows",
    "dead_letters",
    "last_load",
    "rate_per_s",
    "problem",
]


def status(
    ctx: typer.Context,
    streams: Annotated[list[str] | None, typer.Argument(help="Streams to show (default: all).")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Per stream: topic end offsets, warehouse offsets, lag, rows, dead letters, last load, rate, and
    any problem (warehouse offsets the topic no longer covers)."""
    from streamduck.load.status import stream_status

    rows = stream_status(settings_from(ctx), streams or None)
    if fmt in (Format.table, Format.csv):
        rows = [
            {
                **r,
                "end_offsets": _offsets(r["end_offsets"]),
                "warehouse_offsets": _offsets(r["warehouse_offsets"]),
            }
            for r in rows
        ]
    render(rows, fmt, _COLUMNS)


def _offsets(offsets: dict[int, int]) -> str:
    return " ".join(f"{p}:{o}" for p, o in sorted(offsets.items())) or "-"


def register(app: typer.Typer) -> None:
    app.command("status")(status)
