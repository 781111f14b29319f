"""The rate limiter keeps an absolute schedule: slow items are made up for, oversleeps don't add up."""

from __future__ import annotations

import pytest

from streamduck.produce.pacing import RateLimiter


class FakeTime:
    """A clock that only moves when slept on or told to (the limiter's injected clock and sleep)."""

    def __init__(self, oversleep: float = 0.0) -> None:
        self.now = 100.0
        self.oversleep = oversleep
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds + self.oversleep


def test_items_are_spaced_by_one_over_the_rate() -> None:
    fake = FakeTime()
    limiter = RateLimiter(50, clock=lambda: fake.now, sleep=fake.sleep)
    for index in range(101):
        limiter.wait(index)
    assert fake.now == pytest.approx(100.0 + 100 / 50)


def test_oversleeping_does_not_drift() -> None:
    fake = FakeTime(oversleep=0.004)  # every sleep overshoots by 4 ms: 40% of the 10 ms interval
    limiter = RateLimiter(100, clock=lambda: fake.now, sleep=fake.sleep)
    for index in range(1001):
        limiter.wait(index)
    assert fake.now - 100.0 == pytest.approx(10.0, abs=0.005)  # not 1000 * 14 ms


def test_a_slow_item_is_made_up_by_the_next_ones() -> None:
    fake = FakeTime()
    limiter = RateLimiter(10, clock=lambda: fake.now, sleep=fake.sleep)
    limiter.wait(0)
    fake.now += 0.35  # item 0 took 3.5 intervals
    for index in (1, 2, 3):
        limiter.wait(index)
    assert fake.sleeps == []  # behind schedule: no waiting
    limiter.wait(4)
    assert fake.sleeps == [pytest.approx(0.05)]


def test_rate_zero_never_waits() -> None:
    fake = FakeTime()
    limiter = RateLimiter(0, clock=lambda: fake.now, sleep=fake.sleep)
    for index in range(1000):
        limiter.wait(index)
    assert fake.sleeps == []


def test_negative_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="rate"):
        RateLimiter(-1)
