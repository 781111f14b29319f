"""``key=value`` option parsing shared by ``topics create --config`` and ``configs alter --add-config``."""

from __future__ import annotations

import typer

__all__ = ["config_pairs"]


def config_pairs(
    ctx: typer.Context, param: typer.CallbackParam, values: list[str] | None
) -> list[str] | None:
    """Typer callback: reject a malformed pair as a usage error (exit 2) naming it."""
    from streamduck.errors import ConfigError
    from streamduck.kafka.configs import parse_config_pairs

    try:
        parse_config_pairs(values or [], option=param.opts[0] if param.opts else "--config")
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from None
    return values
