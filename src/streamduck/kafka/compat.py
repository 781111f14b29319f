"""Every use of kafka-python internals, and every workaround for Tansu (the development broker).

Nothing else in streamduck touches a private attribute of kafka-python or tests for Tansu. Each
shim names the kafka-python release it was verified on and its control test: the test that shows
the problem the shim works around (and fails once the problem is gone, so the shim can go). On
another kafka-python minor release, each shim logs a warning once, the first time it runs:
run its control test before trusting it.

Workarounds for Tansu's behaviour that need no internals live where the behaviour is handled,
each pointing here: log-end offsets from the fetch high watermark (:mod:`streamduck.kafka.offsets`),
topic existence from the full topic list (:func:`streamduck.kafka.admin.topic_exists`), offsets by
time from a scan (:mod:`streamduck.kafka.timestamps`), topic config sources
(:mod:`streamduck.kafka.configs`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

log = logging.getLogger(__name__)

VERIFIED_ON = (3, 0)
"""The kafka-python minor release every shim below was verified on (3.0.12)."""
TANSU_CLUSTER_ID = "tansu_cluster"
"""The cluster id Tansu reports unless started with another."""

F = TypeVar("F", bound=Callable[..., Any])
SHIMS: dict[str, str] = {}
"""Shim name -> its control test (pytest node id), for the version warning and for the tests."""


def _installed() -> tuple[int, ...]:
    import kafka

    return tuple(int(part) for part in kafka.__version__.split(".")[:2] if part.isdigit())


def shim(control: str) -> Callable[[F], F]:
    """Register a shim with its control test; warn once if kafka-python is not the verified release."""

    def register(fn: F) -> F:
        SHIMS[fn.__name__] = control
        warned = False

        @functools.wraps(fn)
        def checked(*args: Any, **kwargs: Any) -> Any:
            nonlocal warned
            if not warned and _installed() != VERIFIED_ON:
                warned = True
                log.warning(
                    "kafka-python %s: the %s workaround was verified on %s; run %s to see if it still holds",
                    ".".join(map(str, _installed())), fn.__name__, ".".join(map(str, VERIFIED_ON)), control,
                )  # fmt: skip
            return fn(*args, **kwargs)

        return checked  # type: ignore[return-value]

    return register


@shim("tests/kafka/test_group_membership.py::test_control_leave_group_from_a_forming_leader_wedges_tansu")
def is_tansu(client: KafkaConsumer) -> bool:
    """True when ``client`` is connected to Tansu (its cluster id; kafka-python has no public accessor)."""
    return bool(client._cluster.cluster_id == TANSU_CLUSTER_ID)  # noqa: SLF001


@shim("tests/kafka/test_group_membership.py::test_control_leave_group_from_a_forming_leader_wedges_tansu")
def no_leave_group_from_a_rebalancing_leader(client: KafkaConsumer) -> None:
    """Make ``close()`` skip LeaveGroup when this member may lead a group that is rebalancing.

    Tansu 0.6 keeps a leader that sends LeaveGroup while its group is rebalancing as the group's
    leader, so no member can complete a join again until the broker restarts. Such a member goes
    quiet instead: Tansu drops it when its session times out and elects a new leader.

    - A join in flight: Tansu may already have made this member the leader of the new generation.
    - The leader of a stable generation sends a heartbeat first and leaves only if it succeeds:
      a rebalance under way answers it with REBALANCE_IN_PROGRESS. (A join reaching Tansu in the
      millisecond between that answer and the LeaveGroup can still wedge the group.)
    - A follower of a stable generation leaves: Tansu handles that correctly.

    Leaving whenever it is safe keeps hand-overs fast: the next run in the group does not wait
    out this member's session. kafka-python offers no hook: the coordinator's leave is replaced.
    """
    from kafka.coordinator.base import MemberState
    from kafka.errors import KafkaError

    coordinator = client._coordinator  # noqa: SLF001
    leave = coordinator.maybe_leave_group_async
    leading = coordinator._is_leader  # noqa: SLF001 - read now: close() clears it before it leaves

    async def leave_unless_leading_a_rebalance(
        reason: str | None = None, timeout_ms: int | None = None
    ) -> None:
        if coordinator.state is MemberState.STABLE and not coordinator.coordinator_unknown():
            try:
                if leading:
                    await coordinator._send_heartbeat_request()  # noqa: SLF001 - raises unless current
            except KafkaError:
                pass
            else:
                return await leave(reason, timeout_ms)
        coordinator.reset_generation()  # what a LeaveGroup would leave behind, locally

    coordinator.maybe_leave_group_async = leave_unless_leading_a_rebalance


@shim("tests/transform/test_producer_topics.py::test_untracked_sink_is_dropped_which_is_why_we_track_it")
def track_topics(producer: KafkaProducer, topics: Iterable[str | None]) -> None:
    """Make the producer keep metadata for every topic it writes to, from the start.

    kafka-python's producer only tracks a topic whose metadata it lacked at its first send, and
    each metadata response *replaces* what it knows. A sink known from the bootstrap was therefore
    dropped as soon as the dead-letter topic's first send asked for that topic alone; the sink
    batches in flight then waited for a leader until ``delivery_timeout_ms`` (120 s) expired them.
    Tracking every topic up front keeps them all in every metadata request.
    """
    wanted = [t for t in topics if t]
    for topic in wanted:
        producer._sender.add_topic(topic)  # noqa: SLF001 - no public way to track a topic
    for topic in wanted:
        producer.partitions_for(topic)


@shim("tests/transform/test_transform_faults.py::test_zombie_instance_is_fenced")
def transaction_error(producer: KafkaProducer) -> BaseException | None:
    """The error that put the producer's transaction manager in its error state, if any.

    kafka-python reports later calls on a fenced producer as a plain KafkaError ("in an error
    state"); only the transaction manager keeps the original (fencing) error.
    """
    manager = getattr(producer, "_transaction_manager", None)
    last = getattr(manager, "last_error", None)
    return last if isinstance(last, BaseException) else None


@shim("tests/kafka/test_groups.py::test_list_and_describe_show_lag")
def describe_groups(admin: KafkaAdminClient, group_ids: list[str]) -> dict[str, dict[str, Any]]:
    """``admin.describe_groups``, without the authorized-operations bits.

    kafka-python 3.0.12 fails to decode the bits Tansu returns (an unknown ACL operation 15);
    streamduck does not use them, so this client drops them before decoding.
    """
    admin._process_acl_operations = _without_acl_operations  # noqa: SLF001
    described: dict[str, dict[str, Any]] = admin.describe_groups(group_ids)
    return described


def _without_acl_operations(obj: dict[str, Any]) -> dict[str, Any]:
    return {**obj, "authorized_operations": None}


@shim("tests/load/test_topic_identity.py::test_deleted_and_recreated_topic_then_reset_is_exact")
def topic_id(client: KafkaConsumer, topic: str) -> str | None:
    """The topic's id as the client's last metadata gave it (None where the broker gives none).

    kafka-python keeps ids on its cluster metadata without a public accessor; reading them there
    saves an admin round trip on every assignment.
    """
    found = client._cluster.topic_id(topic)  # noqa: SLF001
    return str(found) if found else None


@shim(
    "tests/load/test_topic_identity.py::test_broker_restart_under_a_following_loader_stops_it_with_the_named_error"
)
def known_topics(client: KafkaConsumer) -> set[str]:
    """The topics in the client's latest metadata, without a request (kafka-python's cluster object)."""
    return set(client._cluster.topics())  # noqa: SLF001
