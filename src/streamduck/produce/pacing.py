"""Pace a loop to a fixed number of iterations per second without drifting."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["RateLimiter"]

# Sleeping for less than this is mostly scheduler overhead; the absolute schedule catches up anyway.
_MIN_SLEEP_S = 0.001


class RateLimiter:
    """Lets item ``i`` go at ``start + i / rate``.

    The schedule is absolute, so time lost to a slow item or an oversleep is made up by the next
    ones instead of accumulating: after ``n`` items, ``n / rate`` seconds have passed, give or take
    one sleep. ``rate=0`` means no limit.
    """

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate < 0:
            raise ValueError(f"rate must be >= 0, got {rate}")
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._start: float | None = None

    def wait(self, index: int) -> None:
        """Block until item ``index`` (0-based) is due; item 0 starts the schedule."""
        if self.rate == 0:
            return
        now = self._clock()
        if self._start is None:
            self._start = now
        delay = self._start + index / self.rate - now
        if delay >= _MIN_SLEEP_S:
            self._sleep(delay)
