"""``streamduck generate GENERATOR``: send fake records (and bad ones on purpose) to a topic."""

from __future__ import annotations

from typing import Annotated

import typer

from streamduck.cli._app import settings_from

__all__ = ["register"]


def generate(
    ctx: typer.Context,
    generator: Annotated[
        str,
        typer.Argument(
            metavar="GENERATOR", help="Generator to run: the file producers/<GENERATOR>.py, e.g. people."
        ),
    ],
    topic: Annotated[
        str | None,
        typer.Option("--topic", "-t", help="Target topic (must exist) [default: the generator's]."),
    ] = None,
    count: Annotated[
        int, typer.Option("--count", "-n", help="Records to send, bad ones included.", min=0)
    ] = 1000,
    rate: Annotated[
        float, typer.Option("--rate", "-r", help="Records per second; 0 = as fast as possible.", min=0)
    ] = 0,
    seed: Annotated[
        int | None, typer.Option(help="Random seed: the same seed sends the same keys and values.")
    ] = None,
    bad_ratio: Annotated[
        float,
        typer.Option(
            help="Share of malformed records, of every kind, each with a streamduck-bad-kind header.",
            min=0.0,
            max=1.0,
        ),
    ] = 0.0,
) -> None:
    """Send COUNT generated records to a topic, keyed, and wait until the broker acknowledged each one."""
    import sys

    from streamduck.produce import generate as run_generator

    report = run_generator(
        settings_from(ctx),
        generator,
        topic=topic,
        count=count,
        rate=rate,
        seed=seed,
        bad_ratio=bad_ratio,
        progress=sys.stderr.isatty(),
    )
    if report.interrupted:
        typer.echo(f"{report.summary()}; interrupted after {report.sent} of {count}", err=True)
        raise typer.Exit(130)
    typer.echo(report.summary(), err=True)


def register(app: typer.Typer) -> None:
    app.command("generate")(generate)
