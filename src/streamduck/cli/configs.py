"""``streamduck configs describe|alter``: ``kafka-configs --entity-type topics`` for streamduck."""

from __future__ import annotations

from typing import Annotated

import typer

from streamduck.cli._app import settings_from
from streamduck.cli._output import Format, FormatOption, render
from streamduck.cli._pairs import config_pairs

__all__ = ["register"]

configs_app = typer.Typer(help="Show and change topic configs (like kafka-configs).", no_args_is_help=True)


@configs_app.command("describe")
def describe(
    ctx: typer.Context,
    topic: Annotated[str, typer.Argument(metavar="TOPIC", help="Topic name.")],
    all_: Annotated[
        bool, typer.Option("--all", help="Include defaults, not only the topic's overrides.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """The configs set on a topic (with --all: every config the broker reports)."""
    from streamduck.kafka.configs import describe_topic_configs

    rows = describe_topic_configs(settings_from(ctx), topic, include_defaults=all_)
    render(rows, fmt, ["name", "value", "source", "read_only", "sensitive"])


@configs_app.command("alter")
def alter(
    ctx: typer.Context,
    topic: Annotated[str, typer.Argument(metavar="TOPIC", help="Topic name.")],
    add_config: Annotated[
        list[str] | None,
        typer.Option(
            "--add-config",
            callback=config_pairs,
            help="Set key=value (repeatable; a value may contain commas).",
        ),
    ] = None,
    delete_config: Annotated[
        list[str] | None, typer.Option("--delete-config", help="Reset a key to its default (repeatable).")
    ] = None,
) -> None:
    """Set and/or reset topic configs in one request."""
    from streamduck.kafka.configs import alter_topic_configs, parse_config_pairs

    adds = parse_config_pairs(add_config or [], option="--add-config")
    alter_topic_configs(settings_from(ctx), topic, adds, delete_config or [])
    typer.echo(f"Completed updating config for topic {topic}.", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(configs_app, name="configs")
