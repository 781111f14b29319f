"""``streamduck consume TOPIC``: the console consumer (``kafka-console-consumer``), records to stdout."""

from __future__ import annotations

from typing import Annotated

import typer

from streamduck.cli._app import settings_from
from streamduck.cli._pairs import config_pairs

__all__ = ["register"]


def consume(
    ctx: typer.Context,
    topic: Annotated[str, typer.Argument(metavar="TOPIC", help="Topic to read.")],
    from_beginning: Annotated[
        bool,
        typer.Option("--from-beginning", help="Start at the oldest record (without a commit), not the end."),
    ] = False,
    max_messages: Annotated[
        int | None, typer.Option("--max-messages", min=1, help="Exit after N records.")
    ] = None,
    group: Annotated[
        str | None, typer.Option("--group", "-g", help="Join this consumer group and commit offsets.")
    ] = None,
    print_key: Annotated[
        bool, typer.Option("--print-key", help="Print key<TAB>value (like --property print.key=true).")
    ] = False,
    partition: Annotated[
        int | None, typer.Option("--partition", min=0, help="Read only this partition (no group).")
    ] = None,
    offset: Annotated[
        str | None,
        typer.Option(
            "--offset",
            help="With --partition: start at this offset, or earliest, or latest (default: latest, "
            "or earliest with --from-beginning).",
        ),
    ] = None,
    properties: Annotated[
        list[str] | None,
        typer.Option(
            "--property",
            callback=config_pairs,
            help="Formatter property key=value, as kafka-console-consumer's: print.timestamp, "
            "print.partition, print.offset, print.headers, print.key, print.value, key.separator, "
            "line.separator, headers.separator, null.literal (repeatable).",
        ),
    ] = None,
    timeout_ms: Annotated[
        int | None,
        typer.Option("--timeout-ms", min=1, help="Exit after T ms without a record (default: wait)."),
    ] = None,
) -> None:
    """Print each record's value (as UTF-8; other bytes escaped) until --max-messages, --timeout-ms or Ctrl-C."""
    import sys

    from streamduck.kafka.configs import parse_config_pairs
    from streamduck.kafka.console import consume_records, parse_offset
    from streamduck.kafka.console_format import RecordFormatter
    from streamduck.process import stop_on_signals

    formatter = RecordFormatter.from_options(
        parse_config_pairs(properties or [], option="--property"), print_key
    )

    # Ctrl-C or SIGTERM asks the consumer to stop after the current record, so the count is right
    # and a group commits exactly what was printed.
    count = 0
    with stop_on_signals() as stop:
        records = consume_records(
            settings_from(ctx),
            topic,
            from_beginning=from_beginning,
            max_messages=max_messages,
            group=group,
            timeout_ms=timeout_ms,
            stop=stop,
            partition=partition,
            offset=None if offset is None else parse_offset(offset),
        )
        try:
            for record in records:
                sys.stdout.write(formatter.format(record) + formatter.line_separator)
                sys.stdout.flush()
                count += 1
        finally:
            records.close()
    typer.echo(f"Processed a total of {count} messages", err=True)


def register(app: typer.Typer) -> None:
    app.command("consume")(consume)
