"""Named crash points for fault tests: ``STREAMDUCK_CRASH_AT=<point>[@<n>]`` exits the process there.

Points: ``before-write`` (batch fetched; at-most-once has already committed to Kafka),
``after-insert`` (rows inserted, warehouse transaction not committed), ``after-warehouse-commit``
(warehouse committed, Kafka not), ``after-kafka-commit``. ``@n`` crashes at the n-th time the point
is reached (default: the first). The process ends with ``os._exit(CRASH_EXIT_CODE)``: no cleanup,
no flush, like a SIGKILL. Inert unless the variable is set, which production never does.
"""

from __future__ import annotations

import os
import threading

__all__ = ["CRASH_EXIT_CODE", "CRASH_POINTS", "crash_point"]

CRASH_EXIT_CODE = 86
CRASH_POINTS = ("before-write", "after-insert", "after-warehouse-commit", "after-kafka-commit")
_hits: dict[str, int] = {}
_lock = threading.Lock()


def crash_point(name: str) -> None:
    """Exit immediately if ``STREAMDUCK_CRASH_AT`` names this point (and its hit count is reached)."""
    setting = os.environ.get("STREAMDUCK_CRASH_AT")
    if not setting:
        return
    point, _, nth = setting.partition("@")
    if point != name:
        return
    with _lock:
        _hits[name] = _hits.get(name, 0) + 1
        if _hits[name] >= int(nth or 1):
            os._exit(CRASH_EXIT_CODE)
