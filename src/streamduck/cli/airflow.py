"""``streamduck airflow``: Airflow standalone on this project's DAGs, with an embedded broker."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

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
    ducklake: Annotated[
        bool,
        typer.Option(
            "--ducklake",
            help="Load into a DuckLake on a local PostgreSQL (catalog in data/lake-catalog, files in "
            "data/lake), so DAG tasks and `load --follow` write at once; needs the PostgreSQL server.",
        ),
    ] = False,
) -> None:
    """Start Airflow standalone (AIRFLOW_HOME=./airflow_home) and print the URL and login; Ctrl-C stops."""
    import contextlib
    import signal

    from streamduck.airflow.standalone import AirflowStandalone
    from streamduck.broker import EmbeddedBroker
    from streamduck.cli._app import settings_from
    from streamduck.process import stop_on_signals

    settings = settings_from(ctx)
    # Ctrl-C, SIGTERM and SIGHUP only set `stop`: no KeyboardInterrupt can cut the shutdown short
    # (uv run forwards a second SIGINT while the first is being handled).
    with (
        stop_on_signals(signal.SIGINT, signal.SIGTERM, signal.SIGHUP) as stop,
        contextlib.ExitStack() as lakes,
    ):
        lake = lakes.enter_context(_local_ducklake(project)) if ducklake else None  # stopped last
        broker = None if external_broker else EmbeddedBroker().start()
        bootstrap = broker.bootstrap_servers if broker else settings.bootstrap_servers
        warehouse, data_path = settings.warehouse, settings.data_path
        if lake is not None:
            warehouse, data_path = (
                f"ducklake:postgres:{lake.libpq}",
                str((project / "data" / "lake").resolve()),
            )
        standalone = AirflowStandalone(project, port, bootstrap, warehouse=warehouse, data_path=data_path)
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
                if lake is not None:
                    typer.echo(f"warehouse:   {warehouse}  (STREAMDUCK_DATA_PATH={data_path})")
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


def _local_ducklake(project: Path) -> Any:
    """A PostgreSQL for the DuckLake catalog whose cluster lives in the project's data folder (it
    stays there when stopped, with the DuckLake, for the next start)."""
    from streamduck.warehouse.local_postgres import LocalPostgres

    return LocalPostgres(data_dir=project / "data" / "lake-catalog")


def register(app: typer.Typer) -> None:
    app.command("airflow")(airflow)
