"""What a ksqlDB-style source definition declares, independent of how it was parsed.

``CREATE STREAM people (id STRING KEY, name STRING) WITH (kafka_topic='fake_people', ...)`` becomes
a :class:`SourceDefinition`; the loader, the warehouse layout and the DAGs only ever see this model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = ["Column", "ColumnRole", "SourceDefinition", "SourceKind"]

SourceKind = Literal["STREAM", "TABLE"]
ColumnRole = Literal["value", "key", "primary_key", "headers"]


@dataclass(frozen=True)
class Column:
    """One declared column."""

    name: str
    """Name as ksqlDB reports it: unquoted identifiers upper-cased, quoted ones verbatim."""
    type: str
    """ksqlDB type in canonical text form, e.g. ``STRING``, ``DECIMAL(10, 2)``, ``ARRAY<STRING>``."""
    role: ColumnRole = "value"
    """Where the value comes from: the JSON value, the record key, or the record headers."""
    source_name: str | None = None
    """Field name looked up in the JSON value (or header key); defaults to ``name``."""

    @property
    def field(self) -> str:
        """The JSON field (or header key) this column is read from."""
        return self.source_name or self.name


@dataclass(frozen=True)
class SourceDefinition:
    """A source STREAM or TABLE: a topic, its format, and its typed columns."""

    name: str
    kind: SourceKind
    topic: str
    columns: tuple[Column, ...]
    value_format: str = "JSON"
    key_format: str = "KAFKA"
    partitions: int | None = None
    replicas: int | None = None
    timestamp: str | None = None
    """Column whose value becomes ROWTIME instead of the record timestamp."""
    timestamp_format: str | None = None
    wrap_single_value: bool | None = None
    window_type: str | None = None
    """``TUMBLING``, ``HOPPING`` or ``SESSION`` when the topic's keys are windowed, else None."""
    window_size_ms: int | None = None
    """WINDOW_SIZE of a TUMBLING or HOPPING windowed source, in milliseconds."""
    statement: str = ""
    """The statement's SQL text, as written."""
    path: Path | None = field(default=None, compare=False)
    """File the statement came from, for error messages."""
    line: int = field(default=1, compare=False)
    """Line of the statement in that file."""

    @property
    def key_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.role in ("key", "primary_key"))

    @property
    def value_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.role == "value")
