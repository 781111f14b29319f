"""Choosing which source definitions a load run covers."""

from __future__ import annotations

from collections.abc import Sequence

from streamduck.errors import ConfigError
from streamduck.ksql.model import SourceDefinition
from streamduck.settings import Settings

__all__ = ["select_sources"]


def select_sources(
    settings: Settings,
    names: Sequence[str] | None,
    definitions: Sequence[SourceDefinition] | None = None,
) -> list[SourceDefinition]:
    """The definitions to load: all source streams/tables, or the named ones (case-insensitive).

    Raises:
        ConfigError: a named stream is not defined, or nothing is defined.
    """
    if definitions is None:
        from streamduck.ksql import load_sources

        definitions = load_sources(settings.streams_dir)
    known = {d.name.upper(): d for d in definitions}
    if not names:
        chosen = list(definitions)
    else:
        unknown = [n for n in names if n.upper() not in known and n not in known]
        if unknown:
            listed = ", ".join(sorted(known)) or "none"
            raise ConfigError(
                f"no source stream named {', '.join(unknown)} in {settings.streams_dir} (defined: {listed})"
            )
        chosen = [known.get(n.upper()) or known[n] for n in names]
    if not chosen:
        raise ConfigError(f"no source streams are defined in {settings.streams_dir}")
    return chosen
