"""``streamduck broker``: the embedded Tansu broker in the foreground."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["register"]


def broker(
    port: Annotated[int, typer.Option("--port", "-p", help="TCP port to listen on.")] = 9092,
    host: Annotated[str, typer.Option(help="Interface to listen on and advertise.")] = "127.0.0.1",
) -> None:
    """Run the embedded development broker (Tansu, in memory) until Ctrl-C or SIGTERM."""
    import signal

    from streamduck.broker import EmbeddedBroker

    embedded = EmbeddedBroker(port=port, host=host)
    stop_requested = False

    def _stop(signum: int, _frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True
        embedded.terminate()  # wait() below returns once it has gone

    # Handlers first: a signal that arrives while the broker starts must still stop it (Tansu runs in
    # its own session, so it would otherwise outlive us).
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    embedded.start()
    if stop_requested:
        embedded.terminate()
    typer.echo(embedded.bootstrap_servers)
    typer.echo(f"embedded broker listening on {embedded.bootstrap_servers} (Ctrl-C to stop)", err=True)
    code = embedded.wait()
    typer.echo("embedded broker stopped", err=True)
    # Tansu exits non-zero on SIGTERM; a stop we asked for is a clean stop.
    if code not in (0, -signal.SIGTERM, 128 + signal.SIGTERM):
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("broker")(broker)
