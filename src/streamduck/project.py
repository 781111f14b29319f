"""The project one invocation works on: settings, parsed definitions (cached), lookups by name.

Built once per CLI invocation (the root command's ``ctx.obj``), once per DAG file and once per
demo, so definitions are parsed once however many commands, tasks or lookups use them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from streamduck.errors import ConfigError
from streamduck.settings import Settings
from streamduck.warehouse.waits import WAITS, WarehouseWaits

if TYPE_CHECKING:
    from streamduck.ksql.model import SourceDefinition


class Project:
    """Settings plus what is parsed from them, each part read on first use and kept."""

    def __init__(self, settings: Settings, waits: WarehouseWaits = WAITS) -> None:
        self.settings = settings
        self.waits = waits

    @functools.cached_property
    def declared_streams(self) -> list[SourceDefinition]:
        """The source streams and tables of ``sql/streams`` (file parsing only: no broker, no warehouse)."""
        from streamduck.ksql import load_sources

        return load_sources(self.settings.streams_dir)

    @functools.cached_property
    def sources(self) -> list[SourceDefinition]:
        """What a load covers: the warehouse catalog's sources, then the unapplied files' ones."""
        from streamduck.load.sources import project_sources

        return project_sources(self.settings, self.waits.load)

    def stream(self, name: str) -> SourceDefinition:
        """The declared stream called ``name`` (case-insensitive).

        Raises:
            ConfigError: no such stream, naming the defined ones.
        """
        (found,) = find_streams(self.declared_streams, [name], str(self.settings.streams_dir))
        return found


def find_streams(
    definitions: Sequence[SourceDefinition], names: Sequence[str], where: str, what: str = "stream"
) -> list[SourceDefinition]:
    """The definitions called ``names``, in that order; names match case-insensitively, as in ksqlDB.

    Raises:
        ConfigError: a name is not defined (the message names ``where`` and what is defined).
    """
    known = {d.name.upper(): d for d in definitions}
    unknown = [n for n in names if n.upper() not in known]
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise ConfigError(f"no {what} named {', '.join(unknown)} in {where} (defined: {listed})")
    return [known[n.upper()] for n in names]
