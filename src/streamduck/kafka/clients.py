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

__all__ = ["admin_client", "broker_errors", "close_consumer", "consumer", "producer"]

# The cluster id Tansu, the embedded development broker, reports unless started with another.
TANSU_CLUSTER_ID = "tansu_cluster"


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


def close_consumer(client: KafkaConsumer) -> None:
    """Close a consumer; a group member first hands its partitions back (its rebalance listener runs).

    Tansu 0.6 keeps a leader that sends LeaveGroup while its group is rebalancing as the group's
    leader, so no member can complete a join again until the broker restarts
    (tests/kafka/test_group_membership.py shows it). On Tansu a member that may be that
    leader therefore goes quiet instead: Tansu drops it when its session times out and elects a
    new leader. Every other member leaves as usual, and so do all members on other brokers.
    """
    if client._cluster.cluster_id == TANSU_CLUSTER_ID:  # noqa: SLF001 - no public accessor
        _no_leave_group_from_a_rebalancing_leader(client._coordinator)  # noqa: SLF001 - no hook
    client.close(autocommit=False)


def _no_leave_group_from_a_rebalancing_leader(coordinator: Any) -> None:
    """Make ``close()`` skip LeaveGroup when this member may lead a group that is rebalancing.

    - A join in flight: Tansu may already have made this member the leader of the new generation.
    - The leader of a stable generation sends a heartbeat first and leaves only if it succeeds:
      a rebalance under way answers it with REBALANCE_IN_PROGRESS. (A join reaching Tansu in the
      millisecond between that answer and the LeaveGroup can still wedge the group.)
    - A follower of a stable generation leaves: Tansu handles that correctly.

    Leaving whenever it is safe keeps hand-overs fast: the next run in the group does not wait
    out this member's session.
    """
    from kafka.coordinator.base import MemberState
    from kafka.errors import KafkaError

    leave = coordinator.maybe_leave_group_async
    leading = coordinator._is_leader  # read now: close() clears it before it leaves

    async def leave_unless_leading_a_rebalance(
        reason: str | None = None, timeout_ms: int | None = None
    ) -> None:
        if coordinator.state is MemberState.STABLE and not coordinator.coordinator_unknown():
            try:
                if leading:
                    await coordinator._send_heartbeat_request()  # raises unless the generation is current
            except KafkaError:
                pass
            else:
                return await leave(reason, timeout_ms)
        coordinator.reset_generation()  # what a LeaveGroup would leave behind, locally

    coordinator.maybe_leave_group_async = leave_unless_leading_a_rebalance
