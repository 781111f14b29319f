"""The transform's topics: check the source exists, create the sink the way ksqlDB would."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from streamduck.errors import TopicNotFound
from streamduck.kafka.clients import admin_client, broker_errors

if TYPE_CHECKING:
    from streamduck.settings import Settings
    from streamduck.transform.spec import TransformSpec

__all__ = ["ensure_topics"]

_UNKNOWN_TOPIC = 3


def ensure_topics(settings: Settings, spec: TransformSpec) -> int:
    """Create the sink topic if missing; return the source topic's partition count.

    The sink gets ``PARTITIONS``/``REPLICAS`` from the statement's WITH clause, else the source's
    partition count and one replica (ksqlDB's defaults for a derived stream). An existing sink is
    used as it is, like ksqlDB does.

    Raises:
        TopicNotFound: the source stream's topic does not exist (naming stream and topic).
    """
    from kafka.errors import TopicAlreadyExistsError

    admin = admin_client(settings)
    try:
        with broker_errors(settings):
            source_partitions = _partition_count(admin, spec.source.topic)
            if source_partitions is None:
                raise TopicNotFound(
                    f"topic {spec.source.topic!r} of source stream {spec.source.name} does not exist"
                )
            if _partition_count(admin, spec.sink_topic) is None:
                new = {
                    "num_partitions": spec.partitions or source_partitions,
                    "replication_factor": spec.replicas or 1,
                }
                # Another instance may create it between our check and our create: fine.
                with contextlib.suppress(TopicAlreadyExistsError):
                    admin.create_topics({spec.sink_topic: new})
            return source_partitions
    finally:
        admin.close()


def _partition_count(admin: object, topic: str) -> int | None:
    (described,) = admin.describe_topics([topic])  # type: ignore[attr-defined]
    if described["error_code"] == _UNKNOWN_TOPIC:
        return None
    return len(described["partitions"])
