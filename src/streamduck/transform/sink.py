"""The transform's topics: check the source exists, create the outputs the way ksqlDB would, keep them tracked."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from streamduck.errors import TopicNotFound
from streamduck.kafka.clients import admin_client, broker_errors

if TYPE_CHECKING:
    from kafka import KafkaProducer

    from streamduck.settings import Settings
    from streamduck.transform.spec import TransformSpec

__all__ = ["ensure_topics", "raise_first_failed_send", "track_output_topics"]

_UNKNOWN_TOPIC = 3


def ensure_topics(settings: Settings, spec: TransformSpec, dead_letter_topic: str | None = None) -> int:
    """Create the sink (and dead-letter) topic if missing; return the source topic's partition count.

    The sink gets ``PARTITIONS``/``REPLICAS`` from the statement's WITH clause, else the source's
    partition count and one replica (ksqlDB's defaults for a derived stream). A missing dead-letter
    topic gets one partition (like ksqlDB's processing log) and the sink's replicas: created here,
    not left to broker auto-creation, which production brokers usually disable (a send to a
    missing topic would block, then fail). Existing topics are used as they are, like ksqlDB does.

    Raises:
        TopicNotFound: the source stream's topic does not exist (naming stream and topic).
    """
    admin = admin_client(settings)
    try:
        with broker_errors(settings):
            source_partitions = _partition_count(admin, spec.source.topic)
            if source_partitions is None:
                raise TopicNotFound(
                    f"topic {spec.source.topic!r} of source stream {spec.source.name} does not exist"
                )
            replicas = spec.replicas or 1
            _create_if_missing(admin, spec.sink_topic, spec.partitions or source_partitions, replicas)
            if dead_letter_topic:
                _create_if_missing(admin, dead_letter_topic, 1, replicas)
            return source_partitions
    finally:
        admin.close()


def _create_if_missing(admin: object, topic: str, partitions: int, replicas: int) -> None:
    from kafka.errors import TopicAlreadyExistsError

    if _partition_count(admin, topic) is not None:
        return
    new = {"num_partitions": partitions, "replication_factor": replicas}
    # Another instance may create it between our check and our create: fine.
    with contextlib.suppress(TopicAlreadyExistsError):
        admin.create_topics({topic: new})  # type: ignore[attr-defined]


def _partition_count(admin: object, topic: str) -> int | None:
    (described,) = admin.describe_topics([topic])  # type: ignore[attr-defined]
    if described["error_code"] == _UNKNOWN_TOPIC:
        return None
    return len(described["partitions"])


def raise_first_failed_send(sent: list[Any]) -> None:
    """Raise the error of the first failed send (all are done after ``flush``).

    kafka-python does not fail a transaction whose batch failed with a *retriable* error (a batch
    that expired after ``delivery_timeout_ms``, say): ``commit_transaction`` would then commit
    the offsets of input whose output was never written. So every send is checked before the
    commit; a failure aborts the transaction and the batch runs again.
    """
    for future in sent:
        if future.failed():
            raise future.exception


def track_output_topics(made: KafkaProducer, topics: list[str | None]) -> None:
    """Make the producer keep metadata for every topic it writes to, from the start.

    kafka-python's producer only tracks a topic whose metadata it lacked at its first send, and
    each metadata response *replaces* what it knows. The sink, known from the bootstrap, was
    therefore dropped as soon as the dead-letter topic's first send asked for that topic alone;
    the sink batches in flight then waited for a leader until ``delivery_timeout_ms`` (120 s)
    expired them. Tracking both topics up front keeps them in every metadata request.
    """
    for topic in filter(None, topics):
        made._sender.add_topic(topic)  # noqa: SLF001 - no public way to track a topic
    for topic in filter(None, topics):
        made.partitions_for(topic)
