"""Consume, transform, produce: one Kafka transaction per micro-batch, offsets included.

Each batch's output records and the consumer group's offsets for the input it came from commit in
one Kafka transaction (KIP-98 ``sendOffsetsToTransaction``), so a ``read_committed`` reader of the
sink sees every input record's output exactly once, whatever happens to the process:

- a crash before the commit leaves an open transaction; the next instance's ``init_transactions``
  (same ``transactional_id``) aborts it and resumes from the group's last committed offsets;
- a stale instance (paused, then resumed after a successor started) is fenced by the producer epoch
  and exits with :class:`~streamduck.errors.TransformFenced`;
- a rebalance never splits a batch: revoked partitions' records are committed first.

Fault tests stop the process at ``transform-before-commit`` (records sent and flushed, transaction
open) or ``transform-after-commit`` with ``STREAMDUCK_CRASH_AT`` (see :mod:`streamduck.crash`).
"""

from __future__ import annotations

import logging
import threading
from functools import partial
from typing import TYPE_CHECKING, Any

from streamduck.crash import CrashPoint, crash_point
from streamduck.errors import TransactionAbortFailed, TransformFenced
from streamduck.kafka import compat
from streamduck.kafka.bounded import OtherMembers
from streamduck.kafka.clients import broker_errors, close_consumer, consumer, transactional_producer
from streamduck.transform.batch import PendingBatch
from streamduck.transform.evaluate import BatchEvaluator, Evaluated
from streamduck.transform.report import TransformOptions, TransformReport
from streamduck.transform.sink import ensure_topics, raise_first_failed_send
from streamduck.transform.spec import TransformSpec, load_transform

if TYPE_CHECKING:
    from kafka import KafkaConsumer, KafkaProducer

    from streamduck.settings import Settings

__all__ = ["group_id", "run_transform", "transactional_id"]

log = logging.getLogger(__name__)


def group_id(name: str) -> str:
    """The consumer group a transform reads with (its committed offsets are the progress)."""
    return f"streamduck-transform-{name}"


def transactional_id(name: str) -> str:
    """Stable per transform: a restarted or duplicate instance fences the previous one."""
    return f"streamduck-transform-{name}"


def run_transform(
    settings: Settings,
    name: str,
    options: TransformOptions | None = None,
    stop: threading.Event | None = None,
) -> TransformReport:
    """Run the derived stream ``name`` as a topic-to-topic processor until caught up or stopped.

    Raises:
        DefinitionError: no such statement, or not a stateless single-source stream.
        TopicNotFound: the source topic does not exist.
        TransformFenced: another instance with the same transactional id took over.
        BrokerUnavailable: no broker answered.
    """
    options = options or TransformOptions()
    spec = load_transform(settings, name)
    ensure_topics(settings, spec, options.dead_letter_topic)
    processor = _Processor(settings, spec, options, stop or threading.Event())
    try:
        processor.run()
    finally:
        processor.close()
    return processor.report


class _Processor:
    """One transform instance: a group consumer, a transactional producer, an evaluator."""

    def __init__(
        self, settings: Settings, spec: TransformSpec, options: TransformOptions, stop: threading.Event
    ) -> None:
        self.spec, self.options, self.stop, self.settings = spec, options, stop, settings
        self.report = TransformReport(
            name=spec.name,
            source_topic=spec.source.topic,
            sink_topic=spec.sink_topic,
            group=group_id(spec.name),
            transactional_id=transactional_id(spec.name),
        )
        self.evaluator = BatchEvaluator(spec)
        self.pending = PendingBatch()
        self.producer: KafkaProducer = self._transactional_producer()
        self.consumer: KafkaConsumer = self._group_consumer()
        self._targets: dict[Any, int] = {}  # end offset seen first, per source partition
        self._others = OtherMembers(options.session_timeout_ms)

    def _transactional_producer(self) -> KafkaProducer:
        return transactional_producer(
            self.settings,
            self.report.transactional_id,
            [self.spec.sink_topic, self.options.dead_letter_topic],
            transaction_timeout_ms=self.options.transaction_timeout_ms,
        )

    def _group_consumer(self) -> KafkaConsumer:
        from kafka import ConsumerRebalanceListener

        processor = self

        class _CommitBeforeRevoke(ConsumerRebalanceListener):
            def on_partitions_revoked(self, revoked: Any) -> None:
                processor.commit_pending()  # never hand over a partition with work in flight

            def on_partitions_assigned(self, assigned: Any) -> None:
                log.info(
                    "transform %s: assigned %s", processor.spec.name, sorted(tp.partition for tp in assigned)
                )

        made = consumer(
            self.settings,
            group_id=self.report.group,
            isolation_level="read_committed",
            auto_offset_reset=self.options.offset_reset,
            max_poll_records=self.options.batch_size,
            session_timeout_ms=self.options.session_timeout_ms,
            heartbeat_interval_ms=max(self.options.session_timeout_ms // 6, 100),
        )
        made.subscribe([self.spec.source.topic], listener=_CommitBeforeRevoke())
        return made

    def run(self) -> None:
        options = self.options
        while not self.stop.is_set():
            with broker_errors(self.settings):
                room = max(options.batch_size - self.pending.count, 1)
                polled = self.consumer.poll(timeout_ms=options.batch_ms, max_records=room)
            self.pending.add(polled)
            if self.pending.is_due(options.batch_size, options.batch_ms / 1000) or (
                self.pending.count and not polled
            ):
                self.commit_pending()
            if (
                options.mode == "until-caught-up"
                and not polled
                and not self.pending.count
                and self._caught_up()
            ):
                break
        self.commit_pending()  # a stop request finishes the batch in hand
        self._commit_positions()

    def close(self) -> None:
        for closer in (partial(close_consumer, self.consumer), self.producer.close, self.evaluator.close):
            try:
                closer()
            except Exception:  # closing is best effort; the transaction state is already settled
                log.debug("transform %s: error while closing", self.spec.name, exc_info=True)

    def commit_pending(self) -> None:
        """Transform the pending batch and commit its output and offsets in one transaction."""
        if not self.pending.count:
            return
        batch, self.pending = self.pending, PendingBatch()
        result = self.evaluator.evaluate(batch.to_arrow())
        try:
            self._transact(batch, result)
        except Exception as exc:
            self._abort(batch, exc)
            return
        self.report.record_commit(batch, result)

    def _commit_positions(self) -> None:
        """Commit positions no batch committed (nothing read yet, ``--from latest``, markers skipped).

        Without this, a transform started ``--from latest`` that found nothing new would start
        from "latest" again next time and silently skip what arrived in between.
        """
        from kafka.structs import OffsetAndMetadata

        with broker_errors(self.settings):
            assigned = self.consumer.assignment()
            positions = {tp: self.consumer.position(tp) for tp in assigned}
            moved = {
                tp: OffsetAndMetadata(position, "", -1)
                for tp, position in positions.items()
                if (self.consumer.committed(tp) or -1) < position
            }
        if not moved:
            return
        try:
            self.producer.begin_transaction()
            self.producer.send_offsets_to_transaction(moved, self.consumer.group_metadata())
            self.producer.commit_transaction()
        except Exception as exc:
            self._abort(PendingBatch(), exc)

    def _transact(self, batch: PendingBatch, result: Evaluated) -> None:
        from kafka.structs import OffsetAndMetadata

        send, topic = self.producer.send, self.spec.sink_topic
        self.producer.begin_transaction()
        sent = [
            send(topic, key=key, value=value, timestamp_ms=timestamp)
            for key, value, timestamp in zip(result.keys, result.values, result.timestamps, strict=True)
        ]
        sent += self._dead_letters(batch, result)
        self.producer.flush()
        raise_first_failed_send(sent)
        crash_point(CrashPoint.TRANSFORM_BEFORE_COMMIT)
        offsets = {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in batch.next_offsets().items()}
        self.producer.send_offsets_to_transaction(offsets, self.consumer.group_metadata())
        self.producer.commit_transaction()
        crash_point(CrashPoint.TRANSFORM_AFTER_COMMIT)

    def _dead_letters(self, batch: PendingBatch, result: Evaluated) -> list[Any]:
        """Log each undecodable record; copy it to the dead-letter topic, in the same transaction.

        Returns the send futures of the copies.
        """
        if not result.dead_letters:
            return []
        sent = []
        raw = {(r.partition, r.offset): r for records in batch.records.values() for r in records}
        topic = self.options.dead_letter_topic
        for dead in result.dead_letters:
            log.warning(
                "transform %s: skipped %s[%d]@%d: %s (%s)",
                self.spec.name, self.spec.source.topic, dead.partition, dead.offset, dead.reason, dead.detail,
            )  # fmt: skip
            if topic:
                record = raw[(dead.partition, dead.offset)]
                headers = [
                    ("streamduck-dead-reason", dead.reason.encode()),
                    ("streamduck-dead-detail", dead.detail.encode("utf-8", "replace")),
                    (
                        "streamduck-source",
                        f"{self.spec.source.topic}/{dead.partition}/{dead.offset}".encode(),
                    ),
                ]
                sent.append(self.producer.send(topic, key=record.key, value=record.value, headers=headers))
        return sent

    def _abort(self, batch: PendingBatch, exc: Exception) -> None:
        """Abort the transaction and rewind, so the batch is processed again; fencing is fatal."""
        cause = self._fencing_error(exc)
        if cause is not None:
            raise TransformFenced(
                f"transform {self.spec.name} was fenced: another instance with transactional id "
                f"{self.report.transactional_id!r} took over ({type(cause).__name__})"
            ) from exc
        log.warning("transform %s: aborting transaction (%s: %s)", self.spec.name, type(exc).__name__, exc)
        try:
            self.producer.abort_transaction()
        except Exception as abort_exc:
            raise TransactionAbortFailed(
                f"transform {self.spec.name}: transaction could not be aborted ({abort_exc}); restart it"
            ) from exc
        assigned = self.consumer.assignment()
        for tp, offset in batch.first_offsets().items():
            if tp in assigned:
                self.consumer.seek(tp, offset)
        self.report.aborted += 1

    def _fencing_error(self, exc: Exception) -> Exception | None:
        """The fencing error behind ``exc``, if a newer producer epoch took over (else None)."""
        from kafka import errors

        fenced = (
            errors.ProducerFencedError,
            errors.InvalidProducerEpochError,
            errors.TransactionCoordinatorFencedError,
        )
        if isinstance(exc, fenced):
            return exc
        last = compat.transaction_error(self.producer)
        return last if isinstance(last, fenced) else None

    def _caught_up(self) -> bool:
        """True when the input seen at start is processed: here, and by the members holding the rest.

        Assigned partitions must reach the end offsets seen when first checked; for the others see
        :mod:`streamduck.kafka.bounded`.
        """
        from kafka import TopicPartition

        assigned = self.consumer.assignment()
        if not assigned:
            return False
        topic = self.spec.source.topic
        with broker_errors(self.settings):
            partitions = {TopicPartition(topic, p) for p in self.consumer.partitions_for_topic(topic) or ()}
            missing = [tp for tp in partitions | assigned if tp not in self._targets]
            if missing:
                self._targets.update(self.consumer.end_offsets(missing))
            if any(self.consumer.position(tp) < self._targets[tp] for tp in assigned):
                return False
            return self._others.caught_up(self.consumer, self._targets)
