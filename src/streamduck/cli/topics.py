"""``streamduck topics list|create|describe|alter|delete``: ``kafka-topics`` for streamduck."""

from __future__ import annotations

from typing import Annotated

import typer

from streamduck.cli._app import settings_from
from streamduck.cli._output import Format, FormatOption, render
from streamduck.cli._pairs import config_pairs

__all__ = ["register"]

topics_app = typer.Typer(
    help="List, create, describe, alter and delete topics (like kafka-topics).", no_args_is_help=True
)

PARTITION_COLUMNS = ["topic", "partition", "leader", "replicas", "isr"]


@topics_app.command("list")
def list_(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """List topic names."""
    from streamduck.kafka.admin import list_topics

    names = list_topics(settings_from(ctx))
    if fmt is Format.table:
        for name in names:  # one name per line, like kafka-topics --list
            typer.echo(name)
    else:
        render([{"topic": name} for name in names], fmt, ["topic"])


@topics_app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="TOPIC", help="Topic name.")],
    partitions: Annotated[int, typer.Option("--partitions", "-p", min=1, help="Number of partitions.")] = 1,
    replication_factor: Annotated[
        int, typer.Option("--replication-factor", "-r", min=1, help="Copies of each partition.")
    ] = 1,
    config: Annotated[
        list[str] | None,
        typer.Option(
            "--config", "-c", callback=config_pairs, help="Topic config override key=value (repeatable)."
        ),
    ] = None,
    if_not_exists: Annotated[
        bool, typer.Option("--if-not-exists", help="Succeed if the topic exists.")
    ] = False,
) -> None:
    """Create a topic through the admin client (KafkaAdminClient.create_topics)."""
    from streamduck.kafka.admin import create_topic
    from streamduck.kafka.configs import parse_config_pairs

    configs = parse_config_pairs(config or [])
    created = create_topic(settings_from(ctx), name, partitions, replication_factor, configs, if_not_exists)
    typer.echo(f"Created topic {name}." if created else f"Topic {name} already exists.", err=True)


@topics_app.command("describe")
def describe(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="TOPIC", help="Topic name.")],
    fmt: FormatOption = Format.table,
) -> None:
    """PartitionCount, ReplicationFactor and Configs, then Leader/Replicas/Isr per partition."""
    import dataclasses

    from streamduck.kafka.admin import describe_topic

    description = describe_topic(settings_from(ctx), name)
    if fmt is not Format.table:
        render([dataclasses.asdict(description)], fmt)
        return
    configs = ",".join(f"{k}={v}" for k, v in description.configs.items())
    typer.echo(
        f"Topic: {name}\tTopicId: {description.topic_id or '-'}\tPartitionCount: "
        f"{description.partition_count}\tReplicationFactor: {description.replication_factor}\t"
        f"Configs: {configs}"
    )
    render([{"topic": name, **dataclasses.asdict(p)} for p in description.partitions], fmt, PARTITION_COLUMNS)


@topics_app.command("alter")
def alter(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="TOPIC", help="Topic name.")],
    partitions: Annotated[
        int, typer.Option("--partitions", "-p", min=1, help="New total number of partitions (increase only).")
    ],
) -> None:
    """Add partitions to a topic, like kafka-topics --alter --partitions N (records are not moved)."""
    from streamduck.kafka.admin import add_partitions

    before = add_partitions(settings_from(ctx), name, partitions)
    typer.echo(f"Topic {name} now has {partitions} partitions (was {before}).", err=True)


@topics_app.command("delete")
def delete(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="TOPIC", help="Topic name.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a topic and all its records (asks first unless --yes)."""
    from streamduck.kafka.admin import delete_topic

    settings = settings_from(ctx)
    if not yes:
        typer.confirm(f"Delete topic {name} and all its records?", abort=True, err=True)
    delete_topic(settings, name)
    typer.echo(f"Deleted topic {name}.", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(topics_app, name="topics")
