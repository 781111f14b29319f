"""Does the topic still hold what the warehouse's offsets point into? Topic identity and log range.

The warehouse stores, per stream and partition, the next offset to load and the id of the topic
incarnation it was loaded from. A development broker that comes back empty, or a topic deleted and
re-created, starts its offsets again at 0: positioned at the stored offset, a loader would wait
for records that will never come and skip the new ones below it. Retention can also delete records
the warehouse has not loaded yet. So on every assignment (and whenever a fetch reports an offset out
of range) the loader compares, per partition: the stored topic id with the broker's, and the stored
offset with the log's current range ``[start, end]``. Anything else is :class:`Uncovered`, and the
run stops with a named error unless ``--on-offset-reset`` chose another policy.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from streamduck.errors import OffsetOutOfRange

if TYPE_CHECKING:
    from streamduck.settings import Settings

__all__ = [
    "OffsetResetPolicy",
    "PartitionLog",
    "TopicLog",
    "Uncovered",
    "read_topic_log",
    "topic_log_seen_by",
    "uncovered",
    "uncovered_error",
]


class OffsetResetPolicy(enum.StrEnum):
    """What a load does when the log no longer covers a stored offset (``--on-offset-reset``)."""

    FAIL = "fail"
    """Stop with a named error (the default): nothing is skipped without someone deciding it."""
    EARLIEST = "earliest"
    """Continue from the log's first record; the change is written to load history."""
    LATEST = "latest"
    """Continue from the log's end; the records passed over are written to load history as skipped."""


@dataclass(frozen=True)
class PartitionLog:
    """The offsets a partition holds now: ``start`` is the first, ``end`` the next to be written."""

    start: int
    end: int


@dataclass(frozen=True)
class TopicLog:
    """A topic as the broker has it now: its id (None where the broker gives none) and log ranges."""

    topic: str
    topic_id: str | None
    partitions: dict[int, PartitionLog]


@dataclass(frozen=True)
class Uncovered:
    """One partition whose stored offset the topic no longer covers."""

    stream: str
    topic: str
    partition: int
    stored: int
    stored_topic_id: str | None
    log: TopicLog

    @property
    def recreated(self) -> bool:
        """The topic is another incarnation than the one the stored offset was loaded from."""
        return bool(self.stored_topic_id and self.log.topic_id and self.stored_topic_id != self.log.topic_id)

    @property
    def range(self) -> PartitionLog | None:
        return self.log.partitions.get(self.partition)

    def reason(self) -> str:
        log = self.range
        if log is None:
            return f"the topic has no partition {self.partition} any more"
        covered = f"the log now covers offsets {log.start} to {log.end}"
        if self.recreated:
            return f"the topic was re-created (topic id {self.log.topic_id}, stored {self.stored_topic_id}); {covered}"
        if self.stored > log.end:
            return f"{covered}: the broker lost records or the topic was re-created"
        return f"{covered}: records {self.stored} to {log.start - 1} were deleted before they were loaded"

    def describe(self) -> str:
        return (
            f"stream {self.stream}, topic {self.topic}, partition {self.partition}: the warehouse's next "
            f"offset is {self.stored}, but {self.reason()}"
        )


def read_topic_log(settings: Settings, topic: str, partitions: Iterable[int] | None = None) -> TopicLog:
    """The topic's id and the ``[start, end]`` of each partition (all, or ``partitions``), without
    creating the topic. The end is the fetch high watermark (see :mod:`streamduck.kafka.offsets`).

    Raises:
        TopicNotFound: the broker does not know the topic.
    """
    from kafka import TopicPartition

    from streamduck.errors import TopicNotFound
    from streamduck.kafka.admin import describe_topic, open_admin, topic_exists
    from streamduck.kafka.clients import broker_errors, consumer
    from streamduck.kafka.offsets import read_log_end_offsets

    with open_admin(settings) as admin:
        if not topic_exists(admin, topic):  # before naming it in a request that could create it
            raise TopicNotFound(f"topic {topic!r} does not exist")
    description = describe_topic(settings, topic)
    chosen = {p.partition for p in description.partitions}
    if partitions is not None:
        chosen &= set(partitions)
    tps = [TopicPartition(topic, p) for p in sorted(chosen)]
    if not tps:
        return TopicLog(topic, description.topic_id, {})
    probe = consumer(settings, group_id=None)
    try:
        with broker_errors(settings):
            starts = probe.beginning_offsets(tps)
            ends = read_log_end_offsets(probe, tps, settings.connect_timeout_ms)
    finally:
        probe.close()
    return TopicLog(
        topic, description.topic_id, {tp.partition: PartitionLog(starts[tp], ends[tp]) for tp in tps}
    )


QUICK_LOOK_MS = 3000
"""How long the loader's own consumer may take to list a partition's offsets before the slower,
exact path (:func:`read_topic_log`) decides, naming a topic that no longer exists."""


def topic_log_seen_by(
    client: Any, settings: Settings, topic: str, partitions: Iterable[int], stored: Mapping[int, int]
) -> TopicLog:
    """:func:`read_topic_log` through a connected consumer, for the loader's every assignment.

    The id comes from the client's metadata and the range from ListOffsets; only a partition whose
    reported end lies below its stored offset has its end read again from a fetch's high watermark
    (ListOffsets under-reports on Tansu), so an ordinary assignment costs two quick requests.
    """
    from kafka import TopicPartition
    from kafka.errors import KafkaTimeoutError

    from streamduck.kafka import compat
    from streamduck.kafka.offsets import log_end_offsets

    tps = [TopicPartition(topic, p) for p in sorted(partitions)]
    try:
        starts = client.beginning_offsets(tps, timeout_ms=QUICK_LOOK_MS)
        ends = dict(client.end_offsets(tps, timeout_ms=QUICK_LOOK_MS))
    except KafkaTimeoutError:  # the client's metadata may be stale (a broker that restarted empty)
        return read_topic_log(settings, topic, partitions)  # TopicNotFound when it is gone
    unsure = [tp for tp in tps if stored.get(tp.partition, -1) > ends[tp]]
    if unsure:
        ends.update(log_end_offsets(settings, unsure))
    return TopicLog(
        topic,
        compat.topic_id(client, topic),
        {tp.partition: PartitionLog(starts[tp], ends[tp]) for tp in tps},
    )


def uncovered(
    stream: str,
    stored: Mapping[int, int],
    stored_topic_ids: Mapping[int, str | None],
    log: TopicLog,
    partitions: Iterable[int] | None = None,
) -> list[Uncovered]:
    """The partitions (of ``partitions``, default all stored) whose stored offset ``log`` does not cover."""
    found = []
    for partition in sorted(stored if partitions is None else partitions):
        if partition not in stored:
            continue  # nothing loaded yet: any position is fine
        problem = Uncovered(
            stream, log.topic, partition, stored[partition], stored_topic_ids.get(partition), log
        )
        span = problem.range
        if problem.recreated or span is None or not span.start <= problem.stored <= span.end:
            found.append(problem)
    return found


def uncovered_error(problems: list[Uncovered]) -> OffsetOutOfRange:
    """One line naming the first problem, how many more, and the command that resolves it."""
    first = problems[0]
    more = f" (and {len(problems) - 1} more partitions)" if len(problems) > 1 else ""
    return OffsetOutOfRange(
        f"{first.describe()}{more}. Loading on would skip records, so nothing was loaded. To load what "
        f"the topic holds now, run `streamduck reset {first.stream} --to-earliest --execute` "
        "(see its dry run first without --execute), or load once with `--on-offset-reset earliest` "
        "(or `latest` to skip to the end)"
    )
