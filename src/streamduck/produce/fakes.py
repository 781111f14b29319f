"""Seeded Faker instances, one per locale, made fast enough to feed a broker.

Faker is slow on names, streets and companies (weighted choices rebuilt on every call; figures in
docs/producer.md, *Throughput*). Values like these repeat in real data anyway, so
:class:`PooledFaker` draws them from a pool of values Faker generated: the first ``pool_size`` calls of a
provider go to Faker, later ones pick from what it returned. Everything else (ids, numbers, dates,
calls with arguments) goes straight to Faker. All randomness comes from seeded ``random.Random``
instances, so the same seed gives the same values.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from faker import Faker

__all__ = ["POOLED_PROVIDERS", "LocaleFakers", "PooledFaker"]

POOLED_PROVIDERS = (
    "first_name",
    "first_name_female",
    "first_name_male",
    "last_name",
    "name",
    "street_address",
    "street_name",
    "city",
    "company",
    "job",
    "phone_number",
    "postcode",
    "user_name",
    "catch_phrase",
)
"""Slow providers whose values may repeat across records; the rest are always called afresh."""

DEFAULT_POOL_SIZE = 500


class PooledFaker:
    """A Faker whose slow, repetitive providers draw from a pool of values it generated itself."""

    def __init__(self, faker: Faker, pool_size: int = DEFAULT_POOL_SIZE) -> None:
        self._faker = faker
        for name in POOLED_PROVIDERS:
            if hasattr(faker, name):
                setattr(self, name, _pooled(getattr(faker, name), faker.random, pool_size))

    def __getattr__(self, name: str) -> Any:
        # Only reached once per attribute not pooled above (ids, numbers, dates, `random`...):
        # keeping it on the instance skips Faker's proxy lookup, ~2 µs, on every later call.
        value = getattr(self._faker, name)
        if callable(value) and name != "unique":
            setattr(self, name, value)
        return value


def _pooled(provider: Callable[..., Any], rng: random.Random, pool_size: int) -> Callable[..., Any]:
    pool: list[Any] = []
    choice = rng.choice

    def draw(*args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return provider(*args, **kwargs)
        if len(pool) < pool_size:
            value = provider()
            pool.append(value)
            return value
        return choice(pool)

    return draw


class LocaleFakers:
    """One seeded :class:`PooledFaker` per locale, picked at random for each record.

    A record is built with a single locale, so a person's name, address, phone and country agree.
    Each locale's Faker gets its own seed derived from ``seed``, so their id streams never collide.
    """

    def __init__(self, locales: Sequence[str], seed: int | str, pool_size: int = DEFAULT_POOL_SIZE) -> None:
        if not locales:
            raise ValueError("at least one locale is needed")
        self._locales = tuple(locales)
        self._seed = seed
        self._pool_size = pool_size
        self._fakers: dict[str, PooledFaker] = {}
        self._pick = random.Random(f"{seed}:locale").choice  # noqa: S311 (fake data, not secrets)

    def pick(self) -> PooledFaker:
        """The Faker for the next record (created on first use: building one costs ~20 ms)."""
        locale = self._pick(self._locales)
        faker = self._fakers.get(locale)
        if faker is None:
            faker = self._fakers[locale] = self._build(locale)
        return faker

    def _build(self, locale: str) -> PooledFaker:
        from faker import Faker

        faker = Faker(locale)
        faker.seed_instance(f"{self._seed}:{locale}")
        return PooledFaker(faker, self._pool_size)
