"""Every named crash point, loader's and transform's: ``STREAMDUCK_CRASH_AT=<point>[@<n>]`` exits there.

Fault tests (tests/load/test_crash.py, tests/transform/test_transform_faults.py) set the variable
in a subprocess; production never does, and then :func:`crash_point` is a dictionary lookup. ``@n``
crashes at the n-th time the point is reached (default: the first); the loader's points count
batches, so a commit group of several batches passes a point once per batch. The process ends with
``os._exit(CRASH_EXIT_CODE)``: no cleanup, no flush, like a SIGKILL.
"""

from __future__ import annotations

import enum
import os
import threading

CRASH_EXIT_CODE = 86


class CrashPoint(enum.StrEnum):
    """The points, in the order a batch reaches them (see :class:`streamduck.load.offsets.WarehouseOffsets`)."""

    BEFORE_WRITE = "before-write"
    """Loader: batch closed and about to be queued; at-most-once has already committed to Kafka."""
    AFTER_INSERT = "after-insert"
    """Loader: a batch's rows and dead letters inserted; the warehouse transaction is not committed."""
    AFTER_WAREHOUSE_COMMIT = "after-warehouse-commit"
    """Loader: warehouse committed, Kafka group offsets not yet (exactly-once, at-least-once)."""
    AFTER_KAFKA_COMMIT = "after-kafka-commit"
    """Loader: Kafka group offsets committed."""
    TRANSFORM_BEFORE_COMMIT = "transform-before-commit"
    """Transform: output records sent and flushed, the Kafka transaction still open."""
    TRANSFORM_AFTER_COMMIT = "transform-after-commit"
    """Transform: the Kafka transaction (output and input offsets) committed."""


_hits: dict[CrashPoint, int] = {}
_lock = threading.Lock()


def crash_point(point: CrashPoint) -> None:
    """Exit immediately if ``STREAMDUCK_CRASH_AT`` names ``point`` (and its hit count is reached)."""
    setting = os.environ.get("STREAMDUCK_CRASH_AT")
    if not setting:
        return
    name, _, nth = setting.partition("@")
    if name != point.value:
        return
    with _lock:
        _hits[point] = _hits.get(point, 0) + 1
        if _hits[point] >= int(nth or 1):
            os._exit(CRASH_EXIT_CODE)
