"""Exactly-once micro-batch loading from Kafka topics into the DuckDB warehouse."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

# Light imports only: the CLI imports this package (its options' choices) to build --help.
from streamduck.errors import ConfigError
from streamduck.load.coverage import OffsetResetPolicy
from streamduck.load.guarantee import Guarantee, guarantee_named
from streamduck.load.report import LoadReport, StreamLoad
from streamduck.warehouse.waits import WAITS

if TYPE_CHECKING:
    from streamduck.ksql.model import SourceDefinition
    from streamduck.settings import Settings

__all__ = ["LoadReport", "StreamLoad", "run_load"]

Mode = Literal["until-caught-up", "follow"]


def run_load(
    settings: Settings,
    streams: Sequence[str] | None = None,
    *,
    mode: Mode = "until-caught-up",
    guarantee: str | Guarantee = "exactly-once",
    group: str | None = None,
    batch_size: int = 20_000,
    batch_ms: int = 1000,
    batch_bytes: int = 16 * 1024 * 1024,
    max_value_bytes: int = 256 * 1024,
    lock_wait_s: float = WAITS.load,
    read_ahead_batches: int = 8,
    direct_when_idle: bool = True,
    definitions: Sequence[SourceDefinition] | None = None,
    stop: threading.Event | None = None,
    on_progress: Callable[[LoadReport], None] | None = None,
    on_offset_reset: str = "fail",
) -> LoadReport:
    """Load the mapped topics (all source streams, or ``streams``) into the warehouse.

    ``mode="until-caught-up"`` reads to the end offsets seen at start, drains until a poll comes
    back empty, and returns. ``mode="follow"`` runs until ``stop`` is set (the CLI sets it on SIGTERM/SIGINT,
    :func:`streamduck.process.stop_on_signals`); it then finishes and commits the open batch and
    leaves the group. Interpreter-wide settings are left alone (the CLI opts in to
    :func:`streamduck.process.tuned_for_loading`).
    ``guarantee`` names one of :data:`~streamduck.load.guarantee.GUARANTEES`.
    ``definitions`` overrides the warehouse catalog and ``settings.streams_dir``; ``group`` defaults
    to one group per warehouse (:func:`~streamduck.load.sources.default_group`). With exactly-once, up to
    ``read_ahead_batches`` batches are read and classified while the group join is pending
    (:mod:`streamduck.load.read_ahead`; 0 turns it off). ``direct_when_idle``: a bounded
    exactly-once run whose group has no active member reads every partition itself instead of
    joining (see ``LoadRun._may_read_directly``); False always joins.
    ``on_offset_reset`` (fail, earliest, latest) says what to do when a topic no longer covers a
    stored offset (:mod:`streamduck.load.coverage`).

    Raises:
        ConfigError, TopicNotFound, BrokerUnavailable, WarehouseLocked, OffsetOutOfRange,
        WarehouseDamaged, DiskFull.
    """
    from streamduck.load.batch import BatchLimits
    from streamduck.load.runner import LoadRun
    from streamduck.load.sources import default_group, select_sources
    from streamduck.load.writer import WriterOptions
    from streamduck.warehouse.backend import DuckDBFile
    from streamduck.warehouse.failures import check_warehouse_file, warehouse_errors

    chosen_guarantee = guarantee_named(guarantee)
    policy = _offset_reset_policy(on_offset_reset)
    if mode not in ("until-caught-up", "follow"):
        raise ConfigError(f"unknown mode {mode!r}; choose until-caught-up or follow")
    if batch_size < 1 or batch_ms < 1 or batch_bytes < 1 or max_value_bytes < 1:
        raise ConfigError("batch size, batch time, batch bytes and max value bytes must be positive")
    if read_ahead_batches < 0:
        raise ConfigError(f"read-ahead batches must be 0 or more, got {read_ahead_batches}")
    backend = settings.backend
    if isinstance(backend, DuckDBFile):
        check_warehouse_file(backend.path)  # before anything reads it: a foreign file fails fast
    chosen = select_sources(settings, streams, definitions)
    stop = stop or threading.Event()
    run = LoadRun(
        settings, chosen, mode=mode, guarantee=chosen_guarantee, group=group or default_group(settings),
        limits=BatchLimits(records=batch_size, bytes=batch_bytes, age_s=batch_ms / 1000),
        writer_options=WriterOptions(max_value_bytes=max_value_bytes, lock_wait_s=lock_wait_s),
        stop=stop, on_progress=on_progress, read_ahead_batches=read_ahead_batches,
        direct_when_idle=direct_when_idle, on_offset_reset=policy,
    )  # fmt: skip
    with warehouse_errors(backend.location):
        return run.run()


def _offset_reset_policy(name: str) -> OffsetResetPolicy:
    try:
        return OffsetResetPolicy(name)
    except ValueError:
        choices = ", ".join(p.value for p in OffsetResetPolicy)
        raise ConfigError(f"unknown --on-offset-reset {name!r}; choose one of {choices}") from None
