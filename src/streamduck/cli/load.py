"""``streamduck load``: load mapped topics into the warehouse (a thin shell over run_load)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from streamduck.cli._app import settings_from
from streamduck.cli._output import Format, FormatOption, render
from streamduck.load.coverage import OffsetResetPolicy as OffsetReset
from streamduck.load.guarantee import GuaranteeName

__all__ = ["register"]


def load(
    ctx: typer.Context,
    streams: Annotated[
        list[str] | None, typer.Argument(help="Source streams to load (default: all).")
    ] = None,
    until_caught_up: Annotated[
        bool,
        typer.Option("--until-caught-up", help="Read to the end offsets seen at start, then exit (default)."),
    ] = False,
    follow: Annotated[bool, typer.Option("--follow", help="Keep loading until SIGTERM/SIGINT.")] = False,
    guarantee: Annotated[
        GuaranteeName, typer.Option(help="Delivery guarantee for this run.")
    ] = GuaranteeName.EXACTLY_ONCE,
    group: Annotated[
        str | None,
        typer.Option(help="Consumer group id (default: one per warehouse, streamduck-loader-<hash>)."),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Records per micro-batch, at most.")] = 20_000,
    batch_ms: Annotated[int, typer.Option(min=1, help="Longest a micro-batch stays open, in ms.")] = 1000,
    batch_bytes: Annotated[int, typer.Option(min=1, help="Value bytes per micro-batch, at most.")] = 16
    * 1024
    * 1024,
    max_value_bytes: Annotated[
        int, typer.Option(min=1, help="Larger values become dead letters (reason oversized).")
    ] = 256 * 1024,
    read_ahead: Annotated[
        int,
        typer.Option(
            min=0, help="Exactly-once: batches to read and classify while the group join is pending (0: off)."
        ),
    ] = 8,
    on_offset_reset: Annotated[
        OffsetReset,
        typer.Option(
            help="When a topic no longer covers a stored offset (re-created, emptied, or records deleted): "
            "stop with an error, or continue from the log's start or end (recorded in load history)."
        ),
    ] = OffsetReset.FAIL,
    fmt: FormatOption = Format.table,
) -> None:
    """Load every mapped topic (or the named streams) into DuckDB, exactly once by default."""
    from streamduck.errors import ConfigError
    from streamduck.load import run_load
    from streamduck.process import stop_on_signals, tuned_for_loading

    if follow and until_caught_up:
        raise ConfigError("--follow and --until-caught-up exclude each other")
    settings = settings_from(ctx)
    # This process is the loader's own: it may tune the interpreter and take SIGTERM/SIGINT.
    with stop_on_signals() as stop, tuned_for_loading(), _progress() as on_progress:
        report = run_load(
            settings, streams or None, mode="follow" if follow else "until-caught-up",
            guarantee=guarantee, group=group, batch_size=batch_size, batch_ms=batch_ms,
            batch_bytes=batch_bytes, max_value_bytes=max_value_bytes, read_ahead_batches=read_ahead,
            on_offset_reset=on_offset_reset.value,
            stop=stop, on_progress=on_progress,
        )  # fmt: skip
    rows = [
        {**s.to_dict(), "ranges": " ".join(f"{p}:{a}-{b}" for p, (a, b) in sorted(s.ranges.items()))}
        for s in report.streams
    ]
    render(rows if fmt is Format.table else [s.to_dict() for s in report.streams], fmt,
           ["stream", "topic", "rows", "dead_letters", "duplicates", "ranges"])  # fmt: skip
    typer.echo(
        f"{report.rows} rows, {report.dead_letters} dead letters in {report.batches} batches, "
        f"{report.duration_s:.1f}s ({report.guarantee}, group {report.group})",
        err=True,
    )


class _progress:
    """A live counter on stderr when it is a terminal; otherwise nothing."""

    def __enter__(self) -> Any:
        if not sys.stderr.isatty():
            self._progress = None
            return None
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                            transient=True)  # fmt: skip
        self._progress = progress
        progress.start()
        task = progress.add_task("joining the consumer group")

        def update(report: Any) -> None:
            progress.update(task, description=f"{report.rows} rows, {report.dead_letters} dead letters")

        return update

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


def register(app: typer.Typer) -> None:
    app.command("load")(load)
