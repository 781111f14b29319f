"""What a transform runs: a derived ``CREATE STREAM ... AS SELECT`` statement, resolved and compiled.

The ksql package owns parsing and compilation; this module only asks it for the statement named
``NAME`` under ``settings.streams_dir`` and packs the answer into a :class:`TransformSpec`, the one
object the processor needs. Everything ksql-specific stays behind :func:`load_transform`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from streamduck.errors import DefinitionError
from streamduck.ksql.model import SourceDefinition

if TYPE_CHECKING:
    from streamduck.settings import Settings

__all__ = ["TransformSpec", "load_transform"]


@dataclass(frozen=True)
class TransformSpec:
    """A stateless stream-to-stream query: where it reads, what it computes, where it writes."""

    name: str
    """The derived stream's name, as ksqlDB names it (``CREATE STREAM high_value`` → ``HIGH_VALUE``)."""
    source: SourceDefinition
    """The one source stream the SELECT reads (its topic, columns and formats)."""
    select_sql: str
    """DuckDB SQL of the SELECT, over a relation named like ``source.name`` (the typed view's shape)."""
    sink_topic: str
    """``KAFKA_TOPIC`` of the derived stream (ksqlDB's default: the stream's name)."""
    key_columns: tuple[str, ...] = ()
    """Output columns written to the record key (the source key columns kept by the projection)."""
    key_format: str = "KAFKA"
    """Key serialisation: ``KAFKA`` (a single primitive key) or ``JSON``."""
    value_format: str = "JSON"
    partitions: int | None = None
    """``PARTITIONS`` for the sink topic (default: the source topic's partition count)."""
    replicas: int | None = None
    """``REPLICAS`` for the sink topic (default: 1)."""


def load_transform(settings: Settings, name: str) -> TransformSpec:
    """The transform named ``name`` (case-insensitive) among the statements in ``settings.streams_dir``.

    Raises:
        DefinitionError: no such derived stream, it is not a stateless single-source STREAM, or
            its statement does not compile.
    """
    from streamduck.transform import _ksql_bridge

    if not settings.streams_dir.is_dir():
        raise DefinitionError(f"streams folder {settings.streams_dir} does not exist")
    spec = _ksql_bridge.derived_stream(settings.streams_dir, name)
    if spec.value_format.upper() != "JSON":
        raise DefinitionError(
            f"transform {spec.name}: VALUE_FORMAT {spec.value_format!r} is not supported (JSON only)"
        )
    if spec.key_format.upper() not in ("KAFKA", "JSON", "NONE"):
        raise DefinitionError(
            f"transform {spec.name}: KEY_FORMAT {spec.key_format!r} is not supported (KAFKA, JSON, NONE)"
        )
    return spec
