"""``streamduck transform NAME``: run a ``CREATE STREAM ... AS SELECT`` topic to topic, in transactions."""

from __future__ import annotations

from typing import Annotated

import typer

from streamduck.cli._app import settings_from
from streamduck.cli._output import Format, FormatOption, render

__all__ = ["register"]

_COLUMNS = (
    "stream",
    "source",
    "sink",
    "records_in",
    "records_out",
    "dead_letters",
    "transactions",
    "aborted",
)


def transform(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(help="Derived stream to run: CREATE STREAM NAME ... AS SELECT in sql/streams/.")
    ],
    until_caught_up: Annotated[
        bool,
        typer.Option(
            "--until-caught-up/--follow",
            help="Stop once the input seen at start is processed, or keep following (default) until Ctrl-C/SIGTERM.",
        ),
    ] = False,
    batch_size: Annotated[int, typer.Option(help="Most input records per transaction.", min=1)] = 5000,
    batch_ms: Annotated[
        int, typer.Option(help="Longest a record waits before its transaction commits.", min=1)
    ] = 500,
    offset_reset: Annotated[
        str, typer.Option("--from", help="Where a new transform starts: earliest (whole topic) or latest.")
    ] = "earliest",
    dead_letter_topic: Annotated[
        str | None, typer.Option(help="Copy undecodable input records there (reason in headers).")
    ] = None,
    session_timeout_ms: Annotated[
        int,
        typer.Option(
            help="Consumer group session timeout (how long a crashed instance holds partitions).", min=1000
        ),
    ] = 10_000,
    fmt: FormatOption = Format.table,
) -> None:
    """Consume the source stream's topic, apply the SELECT, produce to the derived stream's topic.

    Output records and the consumed offsets commit in one Kafka transaction per batch: read_committed
    readers of the output see each input record's result exactly once, across crashes and restarts.
    """
    from streamduck.errors import ConfigError
    from streamduck.transform import TransformOptions, run_transform

    if offset_reset not in ("earliest", "latest"):
        raise ConfigError(f"--from must be earliest or latest, not {offset_reset!r}")
    options = TransformOptions(
        mode="until-caught-up" if until_caught_up else "follow",
        batch_size=batch_size,
        batch_ms=batch_ms,
        offset_reset=offset_reset,  # type: ignore[arg-type]
        session_timeout_ms=session_timeout_ms,
        dead_letter_topic=dead_letter_topic,
    )
    from streamduck.process import stop_on_signals

    with stop_on_signals() as stop:
        report = run_transform(settings_from(ctx), name, options, stop)
    row = {
        "stream": report.name,
        "source": report.source_topic,
        "sink": report.sink_topic,
        "records_in": report.records_in,
        "records_out": report.records_out,
        "dead_letters": sum(report.dead_letters.values()),
        "transactions": report.transactions,
        "aborted": report.aborted,
    }
    render([row], fmt, _COLUMNS)


def register(app: typer.Typer) -> None:
    app.command("transform")(transform)
