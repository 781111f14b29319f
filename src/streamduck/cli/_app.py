"""The root typer app, its global options, and how expected errors are shown."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from streamduck.errors import StreamduckError

__all__ = ["app", "project_from", "settings_from"]


class _StreamduckGroup(TyperGroup):
    """Shows expected failures as one line on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except StreamduckError as exc:
            _fail(exc)
        except Exception as exc:
            # DuckDB's damaged-file and disk-full failures, wherever a command met them.
            from streamduck.warehouse.failures import translated

            error = translated(exc)
            if error is None:
                raise
            _fail(error)
        except KeyboardInterrupt:
            raise typer.Abort() from None


def _fail(exc: StreamduckError) -> None:
    from streamduck.redact import redact

    typer.echo(f"Error: {redact(str(exc))}", err=True)
    raise typer.Exit(1) from None


app = typer.Typer(
    cls=_StreamduckGroup,
    name="streamduck",
    help="Kafka to DuckDB, exactly once: topics, producers, loaders, ksqlDB-style views, checks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"streamduck {version('streamduck')}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    _version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    bootstrap_server: Annotated[
        str | None,
        typer.Option(
            "--bootstrap-server",
            "-b",
            help="Kafka brokers, host:port[,host:port] [env: STREAMDUCK_BOOTSTRAP_SERVERS].",
        ),
    ] = None,
    warehouse: Annotated[
        str | None,
        typer.Option(
            help="DuckDB warehouse file, or ducklake:postgres:<libpq params> | ducklake:<path>.ducklake "
            "[env: STREAMDUCK_WAREHOUSE]."
        ),
    ] = None,
    data_path: Annotated[
        str | None,
        typer.Option(
            help="DuckLake only: folder or prefix for its Parquet files [env: STREAMDUCK_DATA_PATH]."
        ),
    ] = None,
    sql_dir: Annotated[
        Path | None, typer.Option(help="Folder of ksqlDB-style statements [env: STREAMDUCK_SQL_DIR].")
    ] = None,
    log_level: Annotated[
        str, typer.Option(help="Log level for messages on stderr.", envvar="STREAMDUCK_LOG_LEVEL")
    ] = "WARNING",
) -> None:
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if logging.getLogger().level > logging.INFO:
        # kafka-python logs each retried connection at ERROR; the one-line error we print names the
        # broker, so its chatter only shows when asked for (--log-level INFO or DEBUG).
        logging.getLogger("kafka").setLevel(logging.CRITICAL)
    overrides = {
        "bootstrap_servers": bootstrap_server,
        "warehouse": warehouse,
        "data_path": data_path,
        "sql_dir": sql_dir,
    }
    ctx.obj = {k: v for k, v in overrides.items() if v is not None}


def project_from(ctx: typer.Context) -> Any:
    """The :class:`~streamduck.project.Project` of this invocation, built once (flags > env > defaults)."""
    from pydantic import ValidationError

    from streamduck.errors import ConfigError
    from streamduck.project import Project
    from streamduck.settings import Settings

    root = ctx.find_root()
    if isinstance(root.obj, Project):
        return root.obj
    try:
        settings = Settings(**(root.obj or {}))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid settings: {problems}") from None
    root.obj = Project(settings)
    return root.obj


def settings_from(ctx: typer.Context) -> Any:
    """The :class:`~streamduck.settings.Settings` of this invocation's project."""
    return project_from(ctx).settings
