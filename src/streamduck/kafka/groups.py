"""Consumer groups: ``kafka-consumer-groups --list / --describe / --reset-offsets``.

``describe_group`` returns plain rows (one per partition) so other parts of streamduck can add
columns (the loader adds the warehouse's offset). Log-end offsets come from the fetch high watermark
(see :mod:`streamduck.kafka.offsets`), so lag is right on Tansu too. Tansu does not report members'
assignments, so on it CONSUMER-ID/HOST/CLIENT-ID stay ``-`` even for an active group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from streamduck.errors import ConfigError, GroupActive, GroupNotFound
from streamduck.settings import Settings

if TYPE_CHECKING:
    from kafka import KafkaAdminClient, TopicPartition

__all__ = [
    "DESCRIBE_COLUMNS",
    "RESET_COLUMNS",
    "ResetTarget",
    "committed_offsets",
    "compute_lag",
    "describe_group",
    "group_is_idle",
    "list_groups",
    "parse_topic_scope",
    "plan_reset",
    "reset_offsets",
]

DESCRIBE_COLUMNS = [
    "group",
    "topic",
    "partition",
    "current_offset",
    "log_end_offset",
    "lag",
    "consumer_id",
    "host",
    "client_id",
]
RESET_COLUMNS = ["group", "topic", "partition", "current_offset", "new_offset"]
_ACTIVE_STATES = {"Stable", "PreparingRebalance", "CompletingRebalance"}


def compute_lag(committed: int | None, log_end: int | None) -> int | None:
    """Records the group has yet to read; None (shown ``-``) when it has no commit."""
    if committed is None or log_end is None:
        return None
    return max(log_end - committed, 0)


@dataclass(frozen=True)
class ResetTarget:
    """Where ``reset-offsets`` moves each partition (kafka-consumer-groups' ``--to-*`` / ``--shift-by``).

    ``value`` is the offset (``offset``), the shift (``shift``) or milliseconds since the epoch
    (``datetime``); the other kinds ignore it.
    """

    kind: Literal["earliest", "latest", "current", "offset", "shift", "datetime"]
    value: int = 0


def plan_reset(
    current: Mapping[Any, int | None],
    earliest: Mapping[Any, int],
    latest: Mapping[Any, int],
    target: ResetTarget,
    at_time: Mapping[Any, int | None] | None = None,
) -> dict[Any, int]:
    """New offset per partition, with Kafka's tool's rules.

    An explicit or shifted offset outside a partition's range is clamped into it; ``current``
    keeps the committed offset (the log end where there is none); ``datetime`` takes the offsets
    in ``at_time`` (the log end where no record is that recent).

    Raises:
        ConfigError: ``shift`` on a partition the group has no committed offset for.
    """
    plan = {}
    for tp, committed in current.items():
        if target.kind == "earliest":
            plan[tp] = earliest[tp]
        elif target.kind == "latest":
            plan[tp] = latest[tp]
        elif target.kind == "current":
            plan[tp] = latest[tp] if committed is None else committed
        elif target.kind == "datetime":
            found = (at_time or {}).get(tp)
            plan[tp] = latest[tp] if found is None else found
        else:
            if target.kind == "shift" and committed is None:
                raise ConfigError(
                    f"cannot shift {tp.topic}[{tp.partition}]: the group has no committed offset there"
                )
            wanted = target.value if target.kind == "offset" else committed + target.value  # type: ignore[operator]
            plan[tp] = min(max(wanted, earliest[tp]), latest[tp])
    return plan


def parse_topic_scope(specs: Iterable[str]) -> dict[str, set[int] | None]:
    """``--topic`` values ``T`` or ``T:P[,P...]`` as topic -> partitions (None = every partition).

    Raises:
        ConfigError: a partition list that is not numbers.
    """
    scope: dict[str, set[int] | None] = {}
    for spec in specs:
        topic, sep, partitions = spec.partition(":")  # topic names cannot contain ':'
        if not sep:
            scope[topic] = None
            continue
        numbers = partitions.split(",")
        if not topic or not all(n.strip().isdigit() for n in numbers):
            raise ConfigError(f"--topic {spec!r} is not TOPIC or TOPIC:PARTITION[,PARTITION...]")
        if topic not in scope or scope[topic] is not None:
            scope[topic] = (scope.get(topic) or set()) | {int(n) for n in numbers}
    return scope


def list_groups(settings: Settings) -> list[dict[str, Any]]:
    """Rows ``group, state, protocol_type, members``, sorted by group."""
    from streamduck.kafka.admin import open_admin

    with open_admin(settings) as admin:
        ids = sorted({g["group_id"] for g in admin.list_groups()})
        described = _describe(admin, ids) if ids else {}
    return [
        {
            "group": gid,
            "state": described[gid].get("group_state"),
            "protocol_type": described[gid].get("protocol_type") or None,
            "members": len(described[gid].get("members") or []),
        }
        for gid in ids
    ]


def describe_group(settings: Settings, group: str) -> list[dict[str, Any]]:
    """One row per partition of each topic the group has committed or been assigned (:data:`DESCRIBE_COLUMNS`).

    Raises:
        GroupNotFound: the broker does not know the group.
    """
    from streamduck.kafka.admin import open_admin
    from streamduck.kafka.offsets import log_end_offsets

    with open_admin(settings) as admin:
        description = _require_group(admin, group)
        committed = committed_offsets(admin, group)
        owners = _owners(description)
        partitions = _all_partitions(admin, {tp.topic for tp in (*committed, *owners)})
    ends = log_end_offsets(settings, partitions)
    return [
        _describe_row(group, tp, committed.get(tp), ends.get(tp), owners.get(tp, {})) for tp in partitions
    ]


def _describe_row(
    group: str, tp: TopicPartition, offset: int | None, log_end: int | None, member: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "group": group,
        "topic": tp.topic,
        "partition": tp.partition,
        "current_offset": offset,
        "log_end_offset": log_end,
        "lag": compute_lag(offset, log_end),
        "consumer_id": member.get("member_id") or None,
        "host": member.get("client_host") or None,
        "client_id": member.get("client_id") or None,
    }


def reset_offsets(
    settings: Settings, group: str, target: ResetTarget, topics: Iterable[str] = (), execute: bool = False
) -> list[dict[str, Any]]:
    """Plan (and with ``execute`` commit) new offsets; rows :data:`RESET_COLUMNS`.

    ``topics`` (``T`` or ``T:P[,P...]``) defaults to every topic the group has committed offsets
    for. Offsets are committed explicitly rather than through ``reset_group_offsets``, whose
    "latest" relies on ListOffsets.

    Raises:
        GroupNotFound: no such group.
        TopicNotFound: a named topic or partition does not exist.
        GroupActive: the group has members (Kafka's tool refuses this too).
        ConfigError: the group has no topics to reset, a shift meets a partition without a
            commit, or the broker refused the new offsets.
    """
    from streamduck.kafka.admin import open_admin

    with open_admin(settings) as admin:
        _require_inactive(_require_group(admin, group), group)
        committed = committed_offsets(admin, group)
        current = _reset_scope(admin, group, committed, parse_topic_scope(topics))
    earliest, latest = _offset_bounds(settings, list(current))
    at_time = None
    if target.kind == "datetime":
        from streamduck.kafka.timestamps import offsets_at_time

        at_time = offsets_at_time(settings, list(current), target.value)
    plan = plan_reset(current, earliest, latest, target, at_time)
    if execute:
        _commit_plan(settings, group, plan)
    return [
        {
            "group": group,
            "topic": tp.topic,
            "partition": tp.partition,
            "current_offset": current[tp],
            "new_offset": offset,
        }
        for tp, offset in sorted(plan.items(), key=lambda i: (i[0].topic, i[0].partition))
    ]


def _reset_scope(
    admin: KafkaAdminClient,
    group: str,
    committed: Mapping[TopicPartition, int],
    topics: Mapping[str, set[int] | None],
) -> dict[TopicPartition, int | None]:
    from kafka import TopicPartition

    from streamduck.errors import TopicNotFound
    from streamduck.kafka.admin import require_topic

    if not topics:
        topics = dict.fromkeys(sorted({tp.topic for tp in committed}))
        if not topics:
            raise ConfigError(f"group {group!r} has no committed offsets: name the topics with --topic")
    scope: dict[TopicPartition, int | None] = {}
    for topic, wanted in topics.items():
        present = {p["partition_index"] for p in require_topic(admin, topic)["partitions"]}
        missing = sorted((wanted or set()) - present)
        if missing:
            raise TopicNotFound(f"topic {topic!r} has no partition {missing[0]} (it has {len(present)})")
        for partition in sorted(wanted if wanted is not None else present):
            tp = TopicPartition(topic, partition)
            scope[tp] = committed.get(tp)
    return scope


def _all_partitions(admin: KafkaAdminClient, topics: Iterable[str]) -> list[TopicPartition]:
    """Every partition of ``topics`` (so a partition the group never committed shows lag ``-``)."""
    from kafka import TopicPartition

    described = admin.describe_topics(sorted(topics)) if topics else []
    return sorted(
        (
            TopicPartition(t["name"], p["partition_index"])
            for t in described
            if t.get("error_code", 0) == 0
            for p in t["partitions"]
        ),
        key=lambda tp: (tp.topic, tp.partition),
    )


def _offset_bounds(
    settings: Settings, partitions: list[TopicPartition]
) -> tuple[dict[Any, int], dict[Any, int]]:
    from streamduck.kafka.clients import broker_errors, consumer
    from streamduck.kafka.offsets import read_log_end_offsets

    probe = consumer(settings, group_id=None)
    try:
        with broker_errors(settings):
            latest = read_log_end_offsets(probe, partitions, settings.connect_timeout_ms)
            return probe.beginning_offsets(partitions), latest
    finally:
        probe.close()


def _commit_plan(settings: Settings, group: str, plan: Mapping[TopicPartition, int]) -> None:
    from kafka.errors import NoError
    from kafka.structs import OffsetAndMetadata

    from streamduck.kafka.admin import open_admin

    with open_admin(settings) as admin:
        results = admin.alter_group_offsets(
            group, {tp: OffsetAndMetadata(o, "", None) for tp, o in plan.items()}
        )
    failed = {tp: err for tp, err in results.items() if err is not NoError}
    if failed:
        detail = ", ".join(
            f"{tp.topic}[{tp.partition}]: {err.__name__}" for tp, err in sorted(failed.items())
        )
        raise ConfigError(f"broker refused to reset offsets of group {group!r}: {detail}")


def group_is_idle(settings: Settings, group: str) -> bool:
    """Whether no consumer is a member of ``group`` right now (it may hold committed offsets)."""
    from streamduck.kafka.admin import open_admin

    with open_admin(settings) as admin:
        description = _describe(admin, [group]).get(group) or {}
    return not description.get("members") and description.get("group_state") not in _ACTIVE_STATES


def _describe(admin: KafkaAdminClient, group_ids: list[str]) -> dict[str, dict[str, Any]]:
    from streamduck.kafka.compat import describe_groups

    return describe_groups(admin, group_ids)


def _require_inactive(description: Mapping[str, Any], group: str) -> None:
    members = len(description.get("members") or [])
    state = description.get("group_state")
    if members or state in _ACTIVE_STATES:
        raise GroupActive(
            f"offsets of group {group!r} can only be reset when it is inactive, "
            f"but its state is {state} with {members} member(s)"
        )


def committed_offsets(admin: KafkaAdminClient, group: str) -> dict[TopicPartition, int]:
    """The group's committed offsets; a partition without a commit (offset -1) is left out."""
    offsets = admin.list_group_offsets(group).get(group, {})
    return {tp: oam.offset for tp, oam in offsets.items() if oam.offset is not None and oam.offset >= 0}


def _require_group(admin: KafkaAdminClient, group: str) -> dict[str, Any]:
    """The group's description; a group the broker does not list does not exist."""
    if group not in {g["group_id"] for g in admin.list_groups()}:
        raise GroupNotFound(f"consumer group {group!r} does not exist")
    return _describe(admin, [group])[group]


def _owners(description: Mapping[str, Any]) -> dict[TopicPartition, dict[str, Any]]:
    """Partition -> member that holds it, from the decoded member assignments (empty on Tansu)."""
    from kafka import TopicPartition

    owners: dict[TopicPartition, dict[str, Any]] = {}
    for member in description.get("members") or []:
        for topic, partition in _assigned(member.get("member_assignment")):
            owners[TopicPartition(topic, partition)] = member
    return owners


def _assigned(assignment: Any) -> list[tuple[str, int]]:
    """(topic, partition) pairs of a decoded assignment, whether kept as an object or a dict."""
    if hasattr(assignment, "partitions"):
        return [(tp.topic, tp.partition) for tp in assignment.partitions()]
    if not isinstance(assignment, Mapping):
        return []  # empty (Tansu) or undecodable
    pairs: list[tuple[Any, int]] = []
    for entry in assignment.get("assigned_partitions") or []:
        topic, partitions = (
            (entry.get("topic"), entry.get("partitions")) if isinstance(entry, Mapping) else entry
        )
        pairs.extend((topic, p) for p in partitions or [])
    return pairs
