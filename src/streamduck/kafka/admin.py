"""Topic administration, as in the tutorial's ``KafkaAdminClient`` section and ``kafka-topics``.

Each function opens one admin client, does its work and closes it, so callers (the CLI, the
provisioning DAG, the demo) never manage client lifetimes. Broker failures surface as
:class:`~streamduck.errors.BrokerUnavailable`; a missing or existing topic is named in
:class:`~streamduck.errors.TopicNotFound` / :class:`~streamduck.errors.TopicExists`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from streamduck.errors import ConfigError, TopicExists, TopicNotFound
from streamduck.kafka.clients import admin_client, broker_errors
from streamduck.settings import Settings

if TYPE_CHECKING:
    from kafka import KafkaAdminClient

__all__ = [
    "CreatedTopic",
    "PartitionDescription",
    "broker_error",
    "describe_error",
    "TopicDescription",
    "add_partitions",
    "create_missing_topic",
    "create_topic",
    "delete_topic",
    "describe_topic",
    "ensure_topic",
    "list_topics",
    "open_admin",
    "require_topic",
    "topic_exists",
]


@dataclass(frozen=True)
class PartitionDescription:
    """One partition as ``kafka-topics --describe`` shows it."""

    partition: int
    leader: int
    replicas: list[int]
    isr: list[int]


@dataclass(frozen=True)
class TopicDescription:
    """A topic's shape and its topic-level configuration overrides."""

    topic: str
    topic_id: str | None
    partition_count: int
    replication_factor: int
    configs: dict[str, str] = field(default_factory=dict)
    partitions: list[PartitionDescription] = field(default_factory=list)


@dataclass(frozen=True)
class CreatedTopic:
    """A topic created on demand, with the shape the broker gave it."""

    topic: str
    partitions: int
    replication_factor: int
    cluster_defaults: bool
    """True when the broker chose the shape (no partitions or replication factor was asked for)."""


@contextlib.contextmanager
def open_admin(settings: Settings) -> Iterator[KafkaAdminClient]:
    """An admin client that is closed afterwards; connection failures become BrokerUnavailable."""
    admin = admin_client(settings)
    try:
        with broker_errors(settings):
            yield admin
    finally:
        admin.close()


def list_topics(settings: Settings) -> list[str]:
    """Names of the cluster's topics, sorted, without internal ones (``kafka-topics --list --exclude-internal``)."""
    with open_admin(settings) as admin:
        topics = admin.describe_topics()
    return sorted(t["name"] for t in topics if not t.get("is_internal"))


def create_topic(
    settings: Settings,
    name: str,
    partitions: int = 1,
    replication_factor: int = 1,
    configs: Mapping[str, str] | None = None,
    if_not_exists: bool = False,
) -> bool:
    """Create a topic; returns False when it already existed and ``if_not_exists`` was given.

    Raises:
        TopicExists: the topic exists and ``if_not_exists`` is False.
        ConfigError: the broker rejected the partitions, replication factor or a config.
    """
    if partitions < 1 or replication_factor < 1:
        raise ConfigError(f"topic {name!r}: partitions and replication factor must be at least 1")
    with open_admin(settings) as admin:
        if _create(admin, name, partitions, replication_factor, configs):
            return True
    if if_not_exists:
        return False
    raise TopicExists(f"topic {name!r} already exists (use --if-not-exists to ignore)")


def create_missing_topic(
    settings: Settings, name: str, partitions: int | None = None, replication_factor: int | None = None
) -> CreatedTopic | None:
    """Create ``name`` unless it exists, with the cluster's defaults for what is not given.

    Returns None when the topic existed. Existence is read from the full topic list: a metadata
    request naming the topic would make some brokers (Tansu) create it with their defaults.

    Raises:
        ConfigError: the broker refused the topic (a bad name, too many replicas, ...).
    """
    if (partitions is not None and partitions < 1) or (
        replication_factor is not None and replication_factor < 1
    ):
        raise ConfigError(f"topic {name!r}: partitions and replication factor must be at least 1")
    with open_admin(settings) as admin:
        if not ensure_topic(admin, name, partitions, replication_factor):
            return None
        metadata = require_topic(admin, name)
    return CreatedTopic(
        topic=name,
        partitions=len(metadata["partitions"]),
        replication_factor=max((len(p["replica_nodes"]) for p in metadata["partitions"]), default=0),
        cluster_defaults=partitions is None and replication_factor is None,
    )


def add_partitions(settings: Settings, name: str, total: int) -> int:
    """Grow ``name`` to ``total`` partitions (``kafka-topics --alter --partitions``); returns the old count.

    Kafka can only add partitions: records are never moved, so keys may map to other partitions
    afterwards.

    Raises:
        TopicNotFound: no such topic.
        ConfigError: ``total`` is not above the current count, or the broker refused (Tansu, the
            development broker, does not implement CreatePartitions).
    """
    from kafka.errors import IncompatibleBrokerVersion

    with open_admin(settings) as admin:
        current = len(require_topic(admin, name)["partitions"])
        if total <= current:
            raise ConfigError(
                f"topic {name!r} has {current} partition(s): the number of partitions can only be increased"
            )
        try:
            result = admin.create_partitions({name: total}, raise_errors=False)
        except IncompatibleBrokerVersion:
            raise ConfigError(
                f"the broker at {settings.bootstrap_servers} cannot add partitions (no CreatePartitions API): "
                f"re-create topic {name!r} with --partitions {total} instead"
            ) from None
        entry = result.to_dict()["results"][0]
        error = broker_error(entry)
        if error is not None:
            raise ConfigError(f"cannot add partitions to topic {name!r}: {describe_error(error, entry)}")
    return current


def describe_topic(settings: Settings, name: str) -> TopicDescription:
    """Partition count, replication factor, configs and per-partition leader/replicas/ISR.

    Raises:
        TopicNotFound: no such topic.
    """
    from streamduck.kafka.configs import topic_overrides

    with open_admin(settings) as admin:
        metadata = require_topic(admin, name)
        configs = topic_overrides(admin, name)
    partitions = sorted(
        (
            PartitionDescription(
                p["partition_index"], p["leader_id"], list(p["replica_nodes"]), list(p["isr_nodes"])
            )
            for p in metadata["partitions"]
        ),
        key=lambda p: p.partition,
    )
    return TopicDescription(
        topic=name,
        topic_id=str(metadata["topic_id"]) if metadata.get("topic_id") else None,
        partition_count=len(partitions),
        replication_factor=max((len(p.replicas) for p in partitions), default=0),
        configs=configs,
        partitions=partitions,
    )


def delete_topic(settings: Settings, name: str) -> None:
    """Delete a topic and its records.

    Raises:
        TopicNotFound: no such topic.
    """
    with open_admin(settings) as admin:
        require_topic(admin, name)
        admin.delete_topics([name])


def topic_exists(admin: KafkaAdminClient, name: str) -> bool:
    """Whether the cluster has topic ``name``.

    Read from the full topic list: a metadata request naming the topic would make some brokers
    (Tansu, and Kafka with ``auto.create.topics.enable``) create it with their defaults.
    """
    return name in {t["name"] for t in admin.describe_topics()}


def ensure_topic(
    admin: KafkaAdminClient,
    name: str,
    partitions: int | None = None,
    replication_factor: int | None = None,
    configs: Mapping[str, str] | None = None,
) -> bool:
    """Create ``name`` unless it exists (never altering an existing topic); True when created here.

    ``None`` takes the cluster's ``num.partitions`` / ``default.replication.factor``.

    Raises:
        ConfigError: the broker refused the topic (a bad name, too many replicas, ...).
    """
    if topic_exists(admin, name):
        return False
    return _create(admin, name, partitions, replication_factor, configs)


def _create(
    admin: KafkaAdminClient,
    name: str,
    partitions: int | None,
    replication_factor: int | None,
    configs: Mapping[str, str] | None,
) -> bool:
    """CreateTopics, then wait until every partition is visible; False when the topic already existed."""
    from kafka.errors import TopicAlreadyExistsError

    # The tutorial's `create_topics([NewTopic(name, num_partitions, replication_factor)])`, in
    # kafka-python 3's non-deprecated dict form (NewTopic is deprecated since 3.0). -1 asks the
    # broker for its defaults (CreateTopics v4+).
    request = {
        name: {
            "num_partitions": partitions or -1,
            "replication_factor": replication_factor or -1,
            "configs": dict(configs or {}),
        }
    }
    result = admin.create_topics(request, raise_errors=False)["topics"][0]
    error = broker_error(result)
    if error is TopicAlreadyExistsError:
        return False  # existed, or another client created it meanwhile
    if error is not None:
        raise ConfigError(f"cannot create topic {name!r}: {describe_error(error, result)}")
    admin.wait_for_topics([name])  # so the very next produce or describe sees every partition
    return True


def require_topic(admin: KafkaAdminClient, name: str) -> dict[str, Any]:
    """The topic's metadata from ``describe_topics``.

    Raises:
        TopicNotFound: the broker does not know the topic.
    """
    from kafka.errors import UnknownTopicOrPartitionError

    try:
        topics = admin.describe_topics([name])
    except UnknownTopicOrPartitionError:
        topics = []
    found = [t for t in topics if t.get("name") == name and t.get("error_code", 0) == 0]
    if not found:
        raise TopicNotFound(f"topic {name!r} does not exist")
    return found[0]


def broker_error(result: Mapping[str, Any]) -> type[Exception] | None:
    """The kafka-python error class for a response entry's ``error_code``, or None when it succeeded."""
    from kafka.errors import for_code

    code = result.get("error_code", 0)
    return for_code(code) if code else None


def describe_error(error: type[Exception], result: Mapping[str, Any]) -> str:
    """The broker's own message when it sent one, else the error's documented meaning."""
    detail = result.get("error_message") or getattr(error, "description", "")
    return f"{getattr(error, 'message', error.__name__)} ({detail})" if detail else error.__name__
