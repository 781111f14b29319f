"""The delivery guarantees as strategy objects: the one place a guarantee's behaviour is decided.

The loader asks its :class:`Guarantee` three questions and never compares a guarantee's name:
where each assigned partition's position comes from, whether the Kafka group commit comes before
or after the warehouse transaction, and whether batches may be read and classified ahead of the
group assignment.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from streamduck.errors import ConfigError


class GuaranteeName(enum.StrEnum):
    """The guarantees' names, as options and reports spell them."""

    EXACTLY_ONCE = "exactly-once"
    AT_LEAST_ONCE = "at-least-once"
    AT_MOST_ONCE = "at-most-once"


class Positions(enum.StrEnum):
    """Where a newly assigned partition's position comes from."""

    WAREHOUSE = "warehouse"
    """The warehouse's stored offsets, checked again by a compare-and-set at every commit."""
    KAFKA = "kafka"
    """The group's committed offsets (from the earliest record when there are none)."""


@dataclass(frozen=True)
class Guarantee:
    """How one delivery guarantee orders the warehouse write and the Kafka commit."""

    name: GuaranteeName
    positions: Positions
    kafka_commit_first: bool
    """Commit the batch's offsets to Kafka before writing it (at-most-once), else after."""
    read_ahead: bool
    """Batches may be fetched and classified during the group join: only valid when the warehouse's
    compare-and-set, not the group, decides what is loaded."""

    @property
    def compare_and_set(self) -> bool:
        """A batch commits only if the warehouse still holds the offsets it was read from."""
        return self.positions is Positions.WAREHOUSE

    @property
    def auto_offset_reset(self) -> str:
        """The consumer's reset policy: with warehouse positions every partition is sought
        explicitly, so an out-of-range offset is an error, never a silent skip."""
        return "none" if self.positions is Positions.WAREHOUSE else "earliest"


EXACTLY_ONCE = Guarantee(
    GuaranteeName.EXACTLY_ONCE, Positions.WAREHOUSE, kafka_commit_first=False, read_ahead=True
)
AT_LEAST_ONCE = Guarantee(
    GuaranteeName.AT_LEAST_ONCE, Positions.KAFKA, kafka_commit_first=False, read_ahead=False
)
AT_MOST_ONCE = Guarantee(
    GuaranteeName.AT_MOST_ONCE, Positions.KAFKA, kafka_commit_first=True, read_ahead=False
)
GUARANTEES: dict[str, Guarantee] = {g.name.value: g for g in (EXACTLY_ONCE, AT_LEAST_ONCE, AT_MOST_ONCE)}


def guarantee_named(name: str | Guarantee) -> Guarantee:
    """The guarantee called ``name`` (a :class:`Guarantee` passes through)."""
    if isinstance(name, Guarantee):
        return name
    try:
        return GUARANTEES[name]
    except KeyError:
        raise ConfigError(f"unknown guarantee {name!r}; choose one of {', '.join(GUARANTEES)}") from None
