"""The transactional producer keeps metadata for all its output topics, and checks every send.

Regression tests for a lost-output bug: kafka-python's producer tracks only topics it lacked
metadata for at their first send, and each metadata response replaces what it knows. A first
send to the dead-letter topic made it ask for that topic alone, which dropped the sink topic
(known from the bootstrap); sink batches in flight then waited for a leader until they expired
after ``delivery_timeout_ms`` (120 s), and kafka-python still committed the transaction.
"""

from __future__ import annotations

import pytest

from streamduck.kafka.compat import track_topics
from streamduck.settings import Settings
from streamduck.transform.sink import raise_first_failed_send


def _known_after_asking_for_another_topic(settings: Settings, sink: str, other: str, track: bool) -> bool:
    from kafka import KafkaAdminClient, KafkaProducer

    def create(topic: str) -> None:
        admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
        try:
            admin.create_topics({topic: {"num_partitions": 1, "replication_factor": 1}})
        finally:
            admin.close()

    create(sink)
    producer = KafkaProducer(bootstrap_servers=settings.bootstrap_servers)
    try:
        producer.partitions_for(sink)  # known from the bootstrap: not tracked by kafka-python
        if track:
            track_topics(producer, [sink, None])
        create(other)  # unknown to the producer, as the dead-letter topic was
        producer.partitions_for(other)  # a first send to it does this
        return producer._metadata.partitions_for_topic(sink) is not None  # noqa: SLF001
    finally:
        producer.close()


def test_tracked_sink_survives_a_metadata_request_for_another_topic(
    settings: Settings, topic_name: str
) -> None:
    assert _known_after_asking_for_another_topic(settings, f"{topic_name}-sink", f"{topic_name}-dead", True)


def test_untracked_sink_is_dropped_which_is_why_we_track_it(settings: Settings, topic_name: str) -> None:
    """The kafka-python behaviour the fix works around (if it changes, the tracking is harmless)."""
    assert not _known_after_asking_for_another_topic(
        settings, f"{topic_name}-sink", f"{topic_name}-dead", False
    )


def test_a_failed_send_is_raised_before_the_commit() -> None:
    from kafka.errors import KafkaTimeoutError
    from kafka.future import Future

    done, expired = Future(), Future()
    done.success(None)
    expired.failure(KafkaTimeoutError("Expiring 27 record(s): 120000 ms has passed since batch creation"))

    raise_first_failed_send([done])
    with pytest.raises(KafkaTimeoutError, match="Expiring 27"):
        raise_first_failed_send([done, expired])
