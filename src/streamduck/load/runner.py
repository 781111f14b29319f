"""The consume loop: group membership, seeking to the warehouse's offsets, batching, committing.

What each guarantee changes is decided by its :class:`~streamduck.load.guarantee.Guarantee`; the
steps of a batch, in order, are listed on :class:`~streamduck.load.offsets.WarehouseOffsets`.

Rebalances: kafka-python calls the listener on its IO thread, which also sends the heartbeats, so
the listener only records what happened (and parks newly assigned partitions that must wait for
the warehouse's offsets). The main loop acts on it between polls: hands over the open batches,
asks the writer for the warehouse's offsets without waiting for them (another process may hold
the DuckDB file), and seeks and resumes the parked partitions once they arrive.
"""

from __future__ import annotations

import collections
import functools
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent import futures
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from streamduck.crash import CrashPoint, crash_point
from streamduck.errors import OffsetOutOfRange, TopicNotFound
from streamduck.kafka.bounded import OtherMembers
from streamduck.kafka.clients import broker_errors, close_consumer, consumer
from streamduck.ksql.model import SourceDefinition
from streamduck.load.batch import Batch, BatchBuilder, BatchLimits, seek_to_lowest_need
from streamduck.load.commit import CommitResult
from streamduck.load.coverage import (
    OffsetResetPolicy,
    Uncovered,
    topic_log_seen_by,
    uncovered,
    uncovered_error,
)
from streamduck.load.guarantee import Guarantee, Positions
from streamduck.load.offsets import stored_offsets
from streamduck.load.read_ahead import ReadAhead, adoptable
from streamduck.load.report import LoadReport, StreamLoad
from streamduck.load.writer import WarehouseWriter, WriterOptions
from streamduck.settings import Settings

if TYPE_CHECKING:
    from kafka import KafkaConsumer

__all__ = ["LoadRun"]

log = logging.getLogger(__name__)

# How long a loader that died holds its partitions; the embedded broker's join takes about half.
SESSION_TIMEOUT_MS = 6000
# Longest the main loop waits for the warehouse's offsets between two polls (a reader may hold the
# file for much longer: the loop keeps polling, and the writer gives up after its lock wait).
POSITIONING_WAIT_S = 0.5
# How often a follower without partitions checks that its topics still exist.
TOPIC_CHECK_S = 3.0


class LoadRun:
    """One loader process's membership in the group, from join to leave."""

    def __init__(
        self,
        settings: Settings,
        definitions: Sequence[SourceDefinition],
        *,
        mode: str,
        guarantee: Guarantee,
        group: str,
        limits: BatchLimits,
        writer_options: WriterOptions,
        stop: threading.Event,
        on_progress: Callable[[LoadReport], None] | None = None,
        read_ahead_batches: int = 0,
        direct_when_idle: bool = True,
        on_offset_reset: OffsetResetPolicy = OffsetResetPolicy.FAIL,
    ):
        self.settings, self.mode, self.guarantee, self.stop = settings, mode, guarantee, stop
        self.direct_when_idle = direct_when_idle
        self.on_offset_reset = on_offset_reset
        self.next_topic_check = 0.0
        """When a follower with no partitions next checks that its topics exist."""
        self.topic_ids: dict[str, str | None] = {}
        """Per topic, the id of the incarnation being read (stored with the offsets it loads)."""
        # Several streams may map one topic: each has its own builder, offsets and compare-and-set;
        # the consumer reads each partition once, from the smallest position any of them needs.
        self.by_topic: dict[str, list[BatchBuilder]] = {}
        for d in definitions:
            self.by_topic.setdefault(d.topic, []).append(BatchBuilder(d, limits))
        self.builders = [b for group in self.by_topic.values() for b in group]
        self.loaded: dict[tuple[str, Any], int] = {}
        """Per (stream, topic-partition), the next offset committed to the warehouse by this run."""
        self.report = LoadReport(
            guarantee.name.value, mode, group, [StreamLoad(d.name, d.topic) for d in definitions]
        )
        self.on_progress = on_progress
        self.joined = False
        self.targets: dict[Any, int] = {}
        """End offsets seen at start, for every partition of the loaded topics."""
        self.others = OtherMembers(SESSION_TIMEOUT_MS)
        loader = f"{socket.gethostname()}:{os.getpid()}"
        options = WriterOptions(**{**writer_options.__dict__, "guarantee": guarantee, "loader": loader})
        self.consumer = self._consumer(group)  # first: no writer thread is left behind if it fails
        self.writer = WarehouseWriter(settings.backend, definitions, options)
        self.read_ahead: ReadAhead | None = None
        self.read_ahead_batches = read_ahead_batches if guarantee.read_ahead else 0
        self.adopted: list[Batch] = []
        """Read-ahead batches to commit first, adopted when the first assignment is positioned."""
        self.rebalances: collections.deque[tuple[str, list[Any]]] = collections.deque()
        """("revoked" | "assigned", partitions), as the listener saw them, for the main loop."""
        self.positioning: tuple[Future[dict[str, dict[int, int]]], list[Any]] | None = None
        """The warehouse's offsets being read for the parked partitions of the latest assignment."""

    def _consumer(self, group: str) -> KafkaConsumer:
        return consumer(
            self.settings,
            group_id=group,
            auto_offset_reset=self.guarantee.auto_offset_reset,
            isolation_level="read_committed",
            session_timeout_ms=SESSION_TIMEOUT_MS,
            heartbeat_interval_ms=1000,
            max_partition_fetch_bytes=4 * 1024 * 1024,
        )

    def run(self) -> LoadReport:
        """Consume until caught up (or until stopped, in follow mode); always leaves the group."""
        started = time.monotonic()
        try:
            self._subscribe()
            # After the metadata calls: the writer's imports hold the GIL for ~0.5 s, and the
            # sooner the join request leaves, the sooner the ~3 s join is over.
            self.writer.start()
            if self.read_ahead_batches:
                self.read_ahead = ReadAhead(
                    self.settings, [b.definition for b in self.builders],
                    self.builders[0].limits, self.writer, self.read_ahead_batches,
                )  # fmt: skip
            self._loop()
            self._flush()
        finally:
            self._close()
            self.report.duration_s = time.monotonic() - started
        return self.report

    def _subscribe(self) -> None:
        from kafka import TopicPartition

        with broker_errors(self.settings):
            for topic in self.by_topic:
                partitions = self.consumer.partitions_for_topic(topic)
                if not partitions:
                    raise TopicNotFound(
                        f"topic {topic!r} (stream {self.by_topic[topic][0].definition.name}) does not exist"
                    )
                tps = [TopicPartition(topic, p) for p in sorted(partitions)]
                self.targets.update(self.consumer.end_offsets(tps))
            direct = self._may_read_directly()
        if direct:
            partitions = sorted(self.targets, key=lambda tp: (tp.topic, tp.partition))
            self.consumer.assign(partitions)
            self.on_assigned(partitions)  # positioned from the warehouse, as after a join
            self.read_ahead_batches = 0  # nothing to wait for
            return
        # By pattern, not by name: kafka-python then refreshes metadata for all topics instead of
        # naming ours, and a broker that auto-creates named topics (Tansu, or Kafka with
        # auto.create.topics.enable) cannot re-create ours behind our back after it lost them.
        names = "|".join(re.escape(topic) for topic in sorted(self.by_topic))
        self.consumer.subscribe(pattern=f"^(?:{names})$", listener=_listener(self))

    def _may_read_directly(self) -> bool:
        """A bounded exactly-once run reads every partition itself, without joining the group,
        when no member of the group is active.

        The group join costs seconds (half a session timeout on the embedded broker) while a
        handful of records load in milliseconds. Exactly-once does not need the group: each batch
        commits only if the warehouse still holds the offsets it was read from, so a loader that
        starts meanwhile (joining or not) cannot make a record land twice; it only finds its
        batches stale and continues from what was stored. The group's offsets are still
        committed, so lag tools see the progress. A group with members (a ``--follow`` loader,
        say) is joined as usual, so the run does not read partitions another member owns.
        """
        from streamduck.kafka.groups import group_is_idle

        if not self.direct_when_idle or self.mode != "until-caught-up" or not self.guarantee.compare_and_set:
            return False
        idle = group_is_idle(self.settings, self.report.group)
        if idle:
            log.info(
                "group %s has no active member: reading all partitions without joining", self.report.group
            )
        return idle

    def _loop(self) -> None:
        from kafka.errors import OffsetOutOfRangeError

        limits = self.builders[0].limits
        poll_ms = max(50, min(500, int(limits.age_s * 1000)))
        max_records = min(limits.records, 20_000)  # a batch is never much larger than asked
        while not self.stop.is_set():
            try:
                # Parked partitions fetch nothing until the warehouse's offsets arrive: a short
                # poll then, so that they resume as soon as the offsets are in (a full one left
                # ~0.5 s idle at every start, the first assignment being parked until the writer
                # has prepared the file).
                parked = bool(self.rebalances) or self.positioning is not None
                fetched = self.consumer.poll(timeout_ms=50 if parked else poll_ms, max_records=max_records)
            except OffsetOutOfRangeError as exc:
                self._out_of_range(exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {})
                continue
            except Exception:
                # A failure inside the rebalance callback (e.g. the warehouse stayed locked) reaches
                # us wrapped by kafka-python: report the writer's own, clearer error.
                self.writer.raise_if_failed()
                raise
            self._handle_rebalances()
            if self.mode == "follow":
                self._watch_topics()
            if self.adopted:  # before anything fetched after them
                adopted, self.adopted = self.adopted, []
                for batch in adopted:
                    self._submit(batch)
            for tp, records in fetched.items():
                for builder in self.by_topic[tp.topic]:
                    builder.add(tp.partition, records)
            # An empty poll is not a reason to cut a batch short: fetches are often still in flight.
            # Batches close by count, bytes or age; the age limit bounds latency in follow mode.
            self._submit_ready(force=False)
            self._collect_results()
            if (
                self.mode == "until-caught-up"
                and (not fetched or self._at_high_watermarks())
                and self._caught_up()
            ):
                return

    def _submit_ready(self, force: bool) -> None:
        now = time.monotonic()
        for builder in self.builders:
            if builder.records and (force or builder.is_full(now)):
                self._submit(builder.take())

    def _submit(self, batch: Batch | None) -> None:
        if batch is None:
            return
        batch.topic_id = self.topic_ids.get(batch.definition.topic)
        if self.guarantee.kafka_commit_first and not self._commit_kafka(
            {batch.definition.topic: batch.next_offsets}
        ):
            return  # the group moved on: the new owner reads these records
        crash_point(CrashPoint.BEFORE_WRITE)
        self.writer.submit(batch)

    def _at_high_watermarks(self) -> bool:
        """Every assigned partition read up to the high watermark of its latest fetch.

        That is the broker's own end of the log (Tansu's ListOffsets may under-report it), so the
        drain can end there instead of waiting for an empty poll, which comes back only after the
        broker's fetch wait (up to 0.5 s at the end of every bounded load). Records beyond the
        last stable offset of an open transaction keep a partition short of it: the empty poll
        decides then, as before.
        """
        if not self.joined or self.positioning is not None or self.rebalances:
            return False
        assignment = self.consumer.assignment()
        for tp in assignment:
            highwater = self.consumer.highwater(tp)
            if highwater is None or self.consumer.position(tp) < highwater:
                return False
        return bool(assignment)

    def _caught_up(self) -> bool:
        """Joined, every assigned partition at or past its end offset at start, and all committed.

        Called after an empty poll, or once every partition is read to its high watermark (the
        embedded broker under-reports end offsets, so reaching them is not enough). Partitions of
        other members count once the group's commits reach their targets (see
        :mod:`streamduck.kafka.bounded`).
        """
        if not self.joined or self.positioning is not None or self.rebalances:
            return False
        if any(self.consumer.position(tp) < self.targets.get(tp, 0) for tp in self.consumer.assignment()):
            return False
        self._submit_ready(force=True)
        self.writer.drain()
        self._collect_results()
        with broker_errors(self.settings):
            return self.others.caught_up(self.consumer, self.targets)

    def _collect_results(self) -> None:
        changed: set[str] = set()
        committed = 0
        for batch, result in self.writer.results():
            if result.committed:
                self._record(batch, result)
                for partition, offset in batch.next_offsets.items():
                    self.loaded[(batch.definition.name, (batch.definition.topic, partition))] = offset
                changed.add(batch.definition.topic)
                committed += 1
            else:
                self._reposition_stale(batch, result)
        if changed and not self.guarantee.kafka_commit_first:
            self._commit_kafka({topic: self._loaded_by_all(topic) for topic in changed}, batches=committed)

    def _loaded_by_all(self, topic: str) -> dict[int, int]:
        """Per partition assigned here, the offset every stream of ``topic`` has loaded up to.

        Partitions handed over to another member are left out: their commits are the new owner's
        (ours could move the group's offset back behind what it committed).
        """
        streams = [b.definition.name for b in self.by_topic[topic]]
        assigned = {tp.partition for tp in self.consumer.assignment() if tp.topic == topic}
        partitions = {tp[1] for (_, tp) in self.loaded if tp[0] == topic and tp[1] in assigned}
        safe: dict[int, int] = {}
        for partition in partitions:
            offsets = [self.loaded.get((name, (topic, partition))) for name in streams]
            loaded = [o for o in offsets if o is not None]
            if len(loaded) == len(offsets):  # a stream that loaded nothing here holds the commit back
                safe[partition] = min(loaded)
        return safe

    def _record(self, batch: Batch, result: CommitResult) -> None:
        log.info(
            "stream %s: committed %d rows, %d dead letters, partitions %s",
            batch.definition.name, result.rows, result.dead_letters, batch.ranges,
        )  # fmt: skip
        self.report.batches += 1
        self.report.commit_conflicts += result.conflicts_retried
        self.report.stream(batch.definition.name).add(
            batch.ranges, result.rows, result.dead_letters, result.duplicates, batch.records
        )
        if self.on_progress is not None:
            self.on_progress(self.report)

    def _reposition_stale(self, batch: Batch, result: CommitResult) -> None:
        """Another member committed these partitions first: continue from what it stored."""
        from kafka import TopicPartition

        self.report.stale_batches += 1
        log.warning(
            "stream %s: stale batch rolled back, partitions %s", batch.definition.name, result.conflicts
        )
        assigned = self.consumer.assignment()
        for partition, stored in result.conflicts.items():
            tp = TopicPartition(batch.definition.topic, partition)
            if tp in assigned:
                self._seek(tp, {batch.definition.name: stored})

    def _seek(self, tp: Any, stored: dict[str, int | None]) -> None:
        """Reposition the streams named in ``stored``; the consumer goes to the lowest need."""
        builders = self.by_topic[tp.topic]
        for builder in builders:
            if builder.definition.name in stored:
                builder.reset_position(tp.partition, stored[builder.definition.name])
        seek_to_lowest_need(self.consumer, tp, builders)

    def _commit_kafka(self, offsets: dict[str, dict[int, int]], batches: int = 1) -> bool:
        """Commit ``offsets`` to the group (they cover ``batches`` batches); False if it moved on."""
        from streamduck.kafka.clients import commit_group_offsets

        if not any(offsets.values()):  # every partition concerned was handed over
            return True
        if not commit_group_offsets(self.consumer, offsets):
            return False
        for _ in range(batches):  # crash points count batches
            crash_point(CrashPoint.AFTER_KAFKA_COMMIT)
        return True

    # The two callbacks below run on kafka-python's IO thread, which also sends the heartbeats,
    # while the main thread waits in poll(): they only record, and never wait for anything.

    def on_revoked(self, revoked: Sequence[Any]) -> None:
        if revoked:  # the empty revocation before the first join: nothing to hand over
            self.rebalances.append(("revoked", list(revoked)))

    def on_assigned(self, assigned: Sequence[Any]) -> None:
        if self.guarantee.positions is Positions.WAREHOUSE:
            # Parked until the main loop has the warehouse's offsets. The placeholder position
            # keeps kafka-python from resolving one itself (auto_offset_reset is "none"); nothing
            # is fetched from it while the partition is paused.
            for tp in assigned:
                self.consumer.seek(tp, 0)
            self.consumer.pause(*assigned)
        self.rebalances.append(("assigned", list(assigned)))

    def _handle_rebalances(self) -> None:
        """Act on what the listener recorded, in order; then resume parked partitions if ready."""
        while self.rebalances:
            kind, partitions = self.rebalances.popleft()
            if kind == "revoked":
                self._hand_over(partitions)
            else:
                self._take_over(partitions)
        if self.positioning is not None:
            # Wait a little here rather than a whole poll: the offsets usually come within
            # milliseconds, and nothing else is fetched until they do. Heartbeats go on meanwhile.
            futures.wait([self.positioning[0]], timeout=POSITIONING_WAIT_S)
            if self.positioning[0].done():
                self._resume_positioned()

    def _hand_over(self, revoked: list[Any]) -> None:
        """Queue the open batches for the warehouse (nothing waits for the commit).

        With compare-and-set they land unless the next owner committed first; at-least-once absorbs
        any overlap with the next owner as duplicates. At-most-once drops the revoked partitions'
        records instead: they were not committed to Kafka, so the next owner delivers them.
        """
        if self.guarantee.kafka_commit_first:
            for tp in revoked:
                for builder in self.by_topic[tp.topic]:
                    builder.reset_position(tp.partition, None)
        self._submit_ready(force=True)

    def _take_over(self, assigned: list[Any]) -> None:
        self._require_topics(assigned)
        if self.guarantee.positions is Positions.KAFKA:
            for tp in assigned:  # positions come from the group's committed offsets
                for builder in self.by_topic[tp.topic]:
                    builder.reset_position(tp.partition, None)
            if not self.guarantee.kafka_commit_first:  # at-least-once never skips what is not loaded
                self._not_past_the_warehouse(assigned)
            self.joined = True
            return
        definitions = [b.definition for b in self.builders]
        # Queued after the handed-over batches, so it reads what they stored. A newer assignment
        # replaces an older one still waiting (its partitions were revoked in between).
        self.positioning = (self.writer.call_soon(lambda con: stored_offsets(con, definitions)), assigned)

    def _resume_positioned(self) -> None:
        """Seek the parked partitions to the warehouse's offsets and resume them."""
        assert self.positioning is not None
        future, assigned = self.positioning
        self.positioning = None
        stored = future.result()  # WarehouseLocked if the file stayed held for lock_wait_s
        owned = self.consumer.assignment()
        assigned = [tp for tp in assigned if tp in owned]
        stored = self._covered(assigned, stored)
        stored = self._adopt_read_ahead(stored, assigned)
        for tp in assigned:
            names = [b.definition.name for b in self.by_topic[tp.topic]]
            self._seek(tp, {name: stored[name].get(tp.partition) for name in names})
        self.consumer.resume(*assigned)
        self.joined = True

    def _watch_topics(self) -> None:
        """Following: every few seconds, make sure the topics still exist (in the client's metadata,
        confirmed by the cluster).

        After a broker restart the group can stay in a join that never completes (Tansu, once the
        subscription matches no topic), so no assignment callback would ever say the topic is gone.
        """
        now = time.monotonic()
        if now < self.next_topic_check:
            return
        self.next_topic_check = now + TOPIC_CHECK_S
        from streamduck.kafka import compat

        if self.joined and not set(self.by_topic) <= compat.known_topics(self.consumer):
            self._require_topics([])  # the metadata misses one: ask the cluster before stopping

    def _require_topics(self, assigned: list[Any]) -> None:
        """A topic that got no partition in this assignment may be gone (a broker restarted empty,
        a topic deleted): then stop and say so, instead of following nothing in silence."""
        from streamduck.kafka.admin import open_admin, topic_exists

        missing = set(self.by_topic) - {tp.topic for tp in assigned}
        if not missing:
            return
        with open_admin(self.settings) as admin:
            gone = sorted(topic for topic in missing if not topic_exists(admin, topic))
        if gone:
            streams = ", ".join(b.definition.name for topic in gone for b in self.by_topic[topic])
            raise TopicNotFound(
                f"topic {gone[0]!r} (stream {streams}) no longer exists: the broker lost it or it was deleted. "
                f"Re-create it with `streamduck ksql apply`, then check the load with `streamduck load`"
            )

    def _stored(self) -> dict[str, dict[int, int]]:
        definitions = [b.definition for b in self.builders]
        return self.writer.call(lambda con: stored_offsets(con, definitions))

    def _covered(
        self, assigned: Sequence[Any], stored: dict[str, dict[int, int]]
    ) -> dict[str, dict[int, int]]:
        """Check that the topics still hold the stored offsets of ``assigned`` (see
        :mod:`streamduck.load.coverage`); apply ``--on-offset-reset`` where they do not.

        Returns the stored offsets, moved where the policy moved them.

        Raises:
            OffsetOutOfRange: the policy is ``fail`` (the error names stream, topic, partition, the
                stored offset, the log's range and the command that resolves it).
        """
        from streamduck.load.reposition import stored_positions

        partitions: dict[str, list[int]] = {}
        for tp in assigned:
            partitions.setdefault(tp.topic, []).append(tp.partition)
        if not partitions:
            return stored
        definitions = [b.definition for b in self.builders if b.definition.topic in partitions]
        ids = self.writer.call(lambda con: {d.name: stored_positions(con, d)[1] for d in definitions})
        problems: list[Uncovered] = []
        for topic, numbers in partitions.items():
            highest = {
                p: max(
                    (stored.get(b.definition.name, {}).get(p, -1) for b in self.by_topic[topic]), default=-1
                )
                for p in numbers
            }
            with broker_errors(self.settings):
                log = topic_log_seen_by(self.consumer, self.settings, topic, numbers, highest)
            self.topic_ids[topic] = log.topic_id
            for builder in self.by_topic[topic]:
                name = builder.definition.name
                problems += uncovered(name, stored.get(name, {}), ids.get(name, {}), log, numbers)
        if not problems:
            return stored
        if self.on_offset_reset is OffsetResetPolicy.FAIL:
            raise uncovered_error(problems)
        return self._reset_uncovered(problems, stored)

    def _reset_uncovered(
        self, problems: list[Uncovered], stored: dict[str, dict[int, int]]
    ) -> dict[str, dict[int, int]]:
        """Move each uncovered partition to the log's start or end, recorded in load history."""
        policy = self.on_offset_reset
        moved = {name: dict(offsets) for name, offsets in stored.items()}
        for name in sorted({p.stream for p in problems}):
            mine = [p for p in problems if p.stream == name]
            definition = next(b.definition for b in self.builders if b.definition.name == name)
            targets = {
                p.partition: (p.range.start if policy is OffsetResetPolicy.EARLIEST else p.range.end)
                for p in mine
                if p.range is not None
            }
            renewed = {
                p.partition for p in mine if p.recreated or (p.range is not None and p.stored > p.range.end)
            }
            reason = f"--on-offset-reset {policy.value}: " + "; ".join(p.reason() for p in mine)

            self.writer.call(
                functools.partial(
                    _reposition, definition=definition, targets=targets, renewed=renewed,
                    topic_id=mine[0].log.topic_id, reason=reason, by=f"load {self.report.group}",
                    guarantee=self.guarantee.name.value,
                )
            )  # fmt: skip
            for problem in mine:
                log.warning("%s; continuing from offset %s (%s)", problem.describe(), targets.get(problem.partition),
                            f"--on-offset-reset {policy.value}, recorded in load history")  # fmt: skip
            moved.setdefault(name, {}).update(targets)
        return moved

    def _not_past_the_warehouse(self, assigned: list[Any]) -> None:
        """At-least-once: check coverage, and never start a partition past the warehouse's offset."""
        stored = self._covered(assigned, self._stored())
        for tp in assigned:
            needs = [stored.get(b.definition.name, {}).get(tp.partition) for b in self.by_topic[tp.topic]]
            lowest = [n for n in needs if n is not None]
            if not lowest or len(lowest) < len(needs):
                continue  # a stream without a stored offset starts where the group is, or earliest
            committed = self.consumer.committed(tp)
            if committed is None or committed > min(lowest):
                self.consumer.seek(tp, min(lowest))

    def _out_of_range(self, partitions: dict[Any, int]) -> None:
        """A fetch found its offset outside the log: name what happened, or apply the policy."""
        stored = self._covered(list(partitions), self._stored())
        assigned = self.consumer.assignment()
        for tp in partitions:
            if tp in assigned:
                names = [b.definition.name for b in self.by_topic[tp.topic]]
                self._seek(tp, {name: stored.get(name, {}).get(tp.partition) for name in names})
        if all(stored.get(b.definition.name, {}).get(tp.partition) is None
               for tp in partitions for b in self.by_topic[tp.topic]):  # fmt: skip
            where = ", ".join(f"{tp.topic}[{tp.partition}] at {offset}" for tp, offset in partitions.items())
            raise OffsetOutOfRange(
                f"fetch offsets outside what the broker holds: {where}; run `streamduck status` to compare "
                "the warehouse's offsets with the topic's"
            )

    def _adopt_read_ahead(
        self, stored: dict[str, dict[int, int]], assigned: Sequence[Any]
    ) -> dict[str, dict[int, int]]:
        """Take over what was read during the join, if it is still valid; where to continue."""
        if self.read_ahead is None:
            return stored
        read_ahead, self.read_ahead = self.read_ahead, None
        batches = read_ahead.stop()
        positions = adoptable(
            batches, read_ahead.started_from, stored, {(tp.topic, tp.partition) for tp in assigned}
        )
        if positions is None:
            log.debug("dropping %d batches read ahead during the join", len(batches))
            return stored
        self.adopted = list(batches)
        self.report.read_ahead_records = sum(b.records for b in batches)
        return positions

    def _flush(self) -> None:
        self._submit_ready(force=True)
        self.writer.drain()
        self._collect_results()

    def _close(self) -> None:
        if self.read_ahead is not None:  # stopped before the group assigned anything
            self.read_ahead.stop()
        try:
            close_consumer(self.consumer)
        finally:
            self.writer.close()


def _reposition(con: Any, *, definition: SourceDefinition, targets: dict[int, int], renewed: set[int],
                topic_id: str | None, reason: str, by: str, guarantee: str) -> None:  # fmt: skip
    """On the writer thread: move ``definition``'s partitions to ``targets``, in one transaction."""
    from streamduck.load.reposition import apply_moves, plan_moves

    moves = plan_moves(con, definition, targets, renewed)
    apply_moves(con, definition, moves, topic_id=topic_id, reason=reason, by=by, guarantee=guarantee)


def _listener(run: LoadRun) -> Any:
    """kafka-python rebalance callbacks (called inside ``poll``), forwarded to the run."""
    from kafka import ConsumerRebalanceListener

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked: Any) -> None:
            run.on_revoked(list(revoked))

        def on_partitions_assigned(self, assigned: Any) -> None:
            run.on_assigned(list(assigned))

    return Listener()
