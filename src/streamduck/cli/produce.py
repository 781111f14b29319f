"""``streamduck produce TOPIC``: the console producer (``kafka-console-producer``), lines from stdin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from streamduck.cli._app import settings_from
from streamduck.cli._pairs import config_pairs

if TYPE_CHECKING:
    from streamduck.kafka.admin import CreatedTopic

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
    null_marker: Annotated[
        str | None,
        typer.Option(
            "--null-marker",
            help="A key or value equal to this is sent as null; a null value is a tombstone "
            "(like --property null.marker=M).",
        ),
    ] = None,
    properties: Annotated[
        list[str] | None,
        typer.Option(
            "--property",
            callback=config_pairs,
            help="Line reader property key=value, as kafka-console-producer's: parse.key, key.separator, "
            "parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker "
            "(repeatable).",
        ),
    ] = None,
    create_topic: Annotated[
        bool,
        typer.Option(
            "--create-topic/--no-create-topic",
            help="Create the topic if it does not exist (announced on stderr).",
        ),
    ] = True,
    partitions: Annotated[
        int | None,
        typer.Option("--partitions", min=1, help="Partitions of a created topic (default: the cluster's)."),
    ] = None,
    replication_factor: Annotated[
        int | None,
        typer.Option(
            "--replication-factor",
            min=1,
            help="Replication factor of a created topic (default: the cluster's).",
        ),
    ] = None,
) -> None:
    """Send each line of stdin as one record; prints the acknowledged count to stderr."""
    import io
    import sys

    from streamduck.kafka.configs import parse_config_pairs
    from streamduck.kafka.console import TopicCreation, produce_lines
    from streamduck.kafka.console_format import LineReader

    reader = LineReader.from_options(
        parse_config_pairs(properties or [], option="--property"), key_separator, null_marker
    )

    def announce(created: CreatedTopic) -> None:
        source = "the cluster's defaults" if created.cluster_defaults else "as asked"
        typer.echo(
            f"Created topic {created.topic} with {created.partitions} partition(s) and replication factor "
            f"{created.replication_factor} ({source}).",
            err=True,
        )

    # Bytes that are not UTF-8 are passed through unchanged rather than failing the run.
    stdin = sys.stdin
    if hasattr(stdin, "buffer"):
        stdin = io.TextIOWrapper(stdin.buffer, encoding="utf-8", errors="surrogateescape")
    creation = TopicCreation(create_topic, partitions, replication_factor)
    count = produce_lines(settings_from(ctx), topic, stdin, reader, creation, on_created=announce)
    typer.echo(f"{count} records sent to {topic}", err=True)


def register(app: typer.Typer) -> None:
    app.command("produce")(produce)
