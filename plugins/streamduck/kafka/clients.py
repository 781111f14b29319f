"""Factories for kafka-python's admin, producer and consumer, with errors translated.

kafka-python is imported inside the functions: ``streamduck --help`` and DAG parsing never pay for it.
Any failure to reach the brokers surfaces as :class:`~streamduck.errors.BrokerUnavailable` naming
the bootstrap address.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from streamduck.errors import BrokerUnavailable
from streamduck.settings import Settings

if TYPE_CHECKING:
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

__all__ = ["admin_client", "broker_errors", "consumer", "producer"]


@contextlib.contextmanager
def broker_errors(settings: Settings) -> Iterator[None]:
    """Turn "no broker answered" into :class:`BrokerUnavailable` naming the address."""
    from kafka.errors import KafkaConnectionError, KafkaTimeoutError, NodeNotReadyError

    try:
        yield
    except (KafkaTimeoutError, KafkaConnectionError, NodeNotReadyError) as exc:
        raise BrokerUnavailable(f"no Kafka broker answered at {settings.bootstrap_servers} ({exc})") from exc


def admin_client(settings: Settings) -> KafkaAdminClient:
    """An admin client connected to the cluster."""
    from kafka import KafkaAdminClient

    with broker_errors(settings):
        return KafkaAdminClient(**settings.kafka_config())


def producer(settings: Settings, **overrides: Any) -> KafkaProducer:
    """A producer; kafka-python 3 defaults to the idempotent producer with ``acks='all'``."""
    from kafka import KafkaProducer

    with broker_errors(settings):
        return KafkaProducer(**{**settings.kafka_config(), **overrides})


def consumer(settings: Settings, *topics: str, **overrides: Any) -> KafkaConsumer:
    """A consumer that never auto-commits unless the caller asks for it."""
    from kafka import KafkaConsumer

    config = {**settings.kafka_config(), "enable_auto_commit": False, **overrides}
    with broker_errors(settings):
        return KafkaConsumer(*topics, **config)
