"""``streamduck airflow``: Airflow standalone on this project's DAGs, with an embedded broker."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


def airflow(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="Port of the Airflow UI and API.")] = 8080,
    project: Annotated[Path, typer.Option(help="Project folder holding dags/, plugins/ and sql/.")] = Path(
        "."
    ),
    external_broker: Annotated[
        bool,
        typer.Option(
            "--external-broker", help="Use --bootstrap-server instead of starting an embedded broker."
        ),
    ] = False,
) -> None:
    """Start Airflow standalone (AIRFLOW_HOME=./airflow_home) and print the URL and login; Ctrl-C stops."""
    import signal

    from streamduck.airflow.standalone import AirflowStandalone
    from streamduck.broker import EmbeddedBroker
    from streamduck.cli._app import settings_from
    from streamduck.process import stop_on_signals

    settings = settings_from(ctx)
    # Ctrl-C, SIGTERM and SIGHUP only set `stop`: no KeyboardInterrupt can cut the shutdown short
    # (uv run forwards a second SIGINT while the first is being handled).
    with stop_on_signals(signal.SIGINT, signal.SIGTERM, signal.SIGHUP) as stop:
        broker = None if external_broker else EmbeddedBroker().start()
        bootstrap = broker.bootstrap_servers if broker else settings.bootstrap_servers
        standalone = AirflowStandalone(
            project, port, bootstrap, warehouse=settings.warehouse, data_path=settings.data_path
        )
        try:
            typer.echo(
                f"starting Airflow standalone (log: {standalone.home / 'standalone.log'}) ...", err=True
            )
            standalone.start()
            if standalone.wait_ready(stop=stop):
                user, password = standalone.login()
                typer.echo(f"Airflow UI:  {standalone.url}")
                typer.echo(f"login:       {user} / {password}")
                typer.echo(f"Kafka:       {bootstrap}{' (embedded)' if broker else ''}")
                typer.echo("Ctrl-C stops Airflow and the broker.", err=True)
            while not stop.wait(1.0):
                if standalone.process is not None and standalone.process.poll() is not None:
                    raise typer.Exit(standalone.process.returncode or 1)
        finally:
            typer.echo("stopping Airflow ...", err=True)
            standalone.stop()
            if broker:
                broker.stop()
            typer.echo("stopped.", err=True)


def register(app: typer.Typer) -> None:
    app.command("airflow")(airflow)
