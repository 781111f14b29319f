"""Factories for kafka-python's admin, producer and consumer, with errors translated.

kafka-python is imported inside the functions: ``streamduck --help`` and DAG parsing never pay for it.
Any failure to reach the brokers surfaces as :class:`~streamduck.errors.BrokerUnavailable` naming
the bootstrap address.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from streamduck.errors import BrokerUnavailable
from streamduck.kafka import compat
from streamduck.settings import Settings

if TYPE_CHECKING:
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

log = logging.getLogger(__name__)

__all__ = [
    "admin_client",
    "broker_errors",
    "close_consumer",
    "commit_group_offsets",
    "consumer",
    "producer",
    "transactional_producer",
]


@contextlib.contextmanager
def broker_errors(settings: Settings) -> Iterator[None]:
    """Turn "no broker answered" into :class:`BrokerUnavailable` naming the address, or into
    :class:`~streamduck.errors.AuthenticationFailed` when the broker answers but refuses TLS or credentials."""
    from kafka.errors import KafkaConnectionError, KafkaTimeoutError, NodeNotReadyError

    try:
        yield
    except (KafkaTimeoutError, KafkaConnectionError, NodeNotReadyError) as exc:
        if "bootstrap" in str(exc).lower():  # every address failed: down, or TLS/auth refused?
            from streamduck.kafka.diagnose import diagnose_bootstrap

            refused = diagnose_bootstrap(settings)
            if refused is not None:
                raise refused from exc
        raise BrokerUnavailable(f"no Kafka broker answered at {settings.bootstrap_servers} ({exc})") from exc


FIRST_LOOK_MS = 2000
"""After this long without a bootstrap, look once at why (see :mod:`streamduck.kafka.diagnose`): a
refused TLS handshake or refused credentials fail then, instead of after the whole connect timeout
(retrying cannot fix them); a broker that is merely slow to start gets the rest of the timeout."""


def _bootstrapped(settings: Settings, build: Callable[..., Any], config: dict[str, Any]) -> Any:
    """``build(**config)``, bootstrapping in two steps (see :data:`FIRST_LOOK_MS`)."""
    from kafka.errors import KafkaTimeoutError

    total = int(config.get("bootstrap_timeout_ms") or settings.connect_timeout_ms)
    with broker_errors(settings):
        if total <= FIRST_LOOK_MS:
            return build(**config)
        try:
            return build(**{**config, "bootstrap_timeout_ms": FIRST_LOOK_MS})
        except KafkaTimeoutError as exc:
            if "bootstrap" not in str(exc).lower():
                raise
            from streamduck.kafka.diagnose import diagnose_bootstrap

            refused = diagnose_bootstrap(settings)
            if refused is not None:
                raise refused from exc
        return build(**{**config, "bootstrap_timeout_ms": total - FIRST_LOOK_MS})


def admin_client(settings: Settings) -> KafkaAdminClient:
    """An admin client connected to the cluster."""
    from kafka import KafkaAdminClient

    return _bootstrapped(settings, KafkaAdminClient, settings.kafka_config())


def producer(settings: Settings, **overrides: Any) -> KafkaProducer:
    """A producer; kafka-python 3 defaults to the idempotent producer with ``acks='all'``."""
    from kafka import KafkaProducer

    return _bootstrapped(
        settings, KafkaProducer, {**settings.kafka_config(), "allow_auto_create_topics": False, **overrides}
    )


def consumer(settings: Settings, *topics: str, **overrides: Any) -> KafkaConsumer:
    """A consumer that never auto-commits unless the caller asks for it."""
    from kafka import KafkaConsumer

    # Never let a metadata request create a topic: a loader subscribed across a broker restart
    # would otherwise re-create its topic with the broker's defaults and read on silently.
    config = {
        **settings.kafka_config(),
        "enable_auto_commit": False,
        "allow_auto_create_topics": False,
        **overrides,
    }
    return _bootstrapped(settings, lambda **kwargs: KafkaConsumer(*topics, **kwargs), config)


def close_consumer(client: KafkaConsumer) -> None:
    """Close a consumer; a group member first hands its partitions back (its rebalance listener runs).

    On Tansu a member that may lead a rebalancing group goes quiet instead of leaving (see
    :func:`streamduck.kafka.compat.no_leave_group_from_a_rebalancing_leader`).
    """
    if compat.is_tansu(client):
        compat.no_leave_group_from_a_rebalancing_leader(client)
    client.close(autocommit=False)


def commit_group_offsets(client: KafkaConsumer, offsets: dict[str, dict[int, int]]) -> bool:
    """Commit ``offsets`` (topic -> partition -> next offset) for ``client``'s group.

    Returns False, without raising, when the group's membership is out of date: kafka-python 3
    raises ``RebalanceInProgressError`` while the group rebalances (a member joining or dying),
    ``CommitFailedError`` once it has moved on. Either way the partitions' next owner decides where
    reading resumes, so the caller carries on polling instead of dying mid-rebalance.
    """
    from kafka import OffsetAndMetadata, TopicPartition
    from kafka.errors import (
        CommitFailedError,
        IllegalGenerationError,
        IllegalStateError,
        RebalanceInProgressError,
        UnknownMemberIdError,
    )

    commit = {
        TopicPartition(topic, partition): OffsetAndMetadata(offset, "", -1)
        for topic, partitions in offsets.items()
        for partition, offset in partitions.items()
    }
    if not commit:
        return True
    try:
        client.commit(commit)
    except (
        CommitFailedError,
        IllegalStateError,
        RebalanceInProgressError,
        UnknownMemberIdError,
        IllegalGenerationError,
    ) as exc:
        log.warning("Kafka offset commit failed (the group is rebalancing or moved on): %s", exc)
        return False
    return True


def transactional_producer(
    settings: Settings, transactional_id: str, topics: Iterable[str | None], **overrides: Any
) -> KafkaProducer:
    """A transactional producer, initialised (a previous instance's open transaction is aborted
    or completed), that keeps metadata for every one of ``topics`` it will write to."""
    made = producer(settings, transactional_id=transactional_id, **overrides)
    with broker_errors(settings):
        made.init_transactions()
        compat.track_topics(made, topics)
    return made
