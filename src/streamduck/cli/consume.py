"""``streamduck consume TOPIC``: the console consumer (``kafka-console-consumer``), records to stdout."""

from __future__ import annotations

from typing import Annotated

import typer

from streamduck.cli._app import settings_from

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
    print_key: Annotated[bool, typer.Option("--print-key", help="Print key<TAB>value.")] = False,
    timeout_ms: Annotated[
        int | None,
        typer.Option("--timeout-ms", min=1, help="Exit after T ms without a record (default: wait)."),
    ] = None,
) -> None:
    """Print each record's value (as UTF-8; other bytes escaped) until --max-messages, --timeout-ms or Ctrl-C."""
    import signal
    import sys
    import threading

    from streamduck.kafka.console import consume_records, format_record

    # Ctrl-C or SIGTERM asks the consumer to stop after the current record, so the count is right
    # and a group commits exactly what was printed.
    stop = threading.Event()
    previous = {
        signum: signal.signal(signum, lambda *_: stop.set()) for signum in (signal.SIGINT, signal.SIGTERM)
    }
    count = 0
    records = consume_records(
        settings_from(ctx),
        topic,
        from_beginning=from_beginning,
        max_messages=max_messages,
        group=group,
        timeout_ms=timeout_ms,
        stop=stop,
    )
    try:
        for record in records:
            sys.stdout.write(format_record(record, print_key) + "\n")
            sys.stdout.flush()
            count += 1
    finally:
        records.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    typer.echo(f"Processed a total of {count} messages", err=True)


def register(app: typer.Typer) -> None:
    app.command("consume")(consume)
