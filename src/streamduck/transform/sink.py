"""The transform's topics: check the source exists, create the outputs the way ksqlDB would, keep them tracked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from streamduck.errors import TopicNotFound
from streamduck.kafka.admin import ensure_topic, open_admin, require_topic, topic_exists

if TYPE_CHECKING:
    from streamduck.settings import Settings
    from streamduck.transform.spec import TransformSpec

__all__ = ["ensure_topics", "raise_first_failed_send"]


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
    with open_admin(settings) as admin:
        if not topic_exists(admin, spec.source.topic):
            raise TopicNotFound(
                f"topic {spec.source.topic!r} of source stream {spec.source.name} does not exist"
            )
        source_partitions = len(require_topic(admin, spec.source.topic)["partitions"])
        replicas = spec.replicas or 1
        ensure_topic(admin, spec.sink_topic, spec.partitions or source_partitions, replicas)
        if dead_letter_topic:
            ensure_topic(admin, dead_letter_topic, 1, replicas)
    return source_partitions


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
