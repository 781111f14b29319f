"""How long each kind of warehouse access waits for another process to release a DuckDB file.

DuckDB lets one process write a file, or several read it, never both; loaders hand the file over
between batches (see :mod:`streamduck.load.writer`). Each access waits by its kind, named here,
instead of a number at each call site.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WarehouseWaits:
    """Seconds to wait for the file, per kind of access (then :class:`~streamduck.errors.WarehouseLocked`)."""

    probe: float = 0.0
    """A check that must not wait (does the file open at all?)."""
    glance: float = 10.0
    """Interactive catalog lookups (``ksql list``, ``ksql describe``)."""
    read: float = 30.0
    """Queries, status, checks, and short writes (``ksql apply``, saving check results)."""
    load: float = 120.0
    """Loaders and dead-letter replays: long-running writers that wait their turn behind others."""


WAITS = WarehouseWaits()
