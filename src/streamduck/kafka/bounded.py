"""When a bounded run (``--until-caught-up``) of a group member may stop, as far as other members go.

A bounded run reads its own partitions to the end offsets seen at start. Partitions the group
assigned to other members count as caught up once the group's committed offsets reach their
targets. Until then the run keeps its membership and waits: Tansu, unlike Kafka, can put a member
that died into a new generation and hand it partitions, which come back to a live member only
once that session expires, and a Tansu rebalance can take several ~3 s rounds. The wait is two
session timeouts plus ``JOIN_S``, counted again whenever this member's assignment changes. After
it, what is left belongs to live members, and the run stops without it (a warning names the
partitions).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kafka import KafkaConsumer

__all__ = ["OtherMembers"]

log = logging.getLogger(__name__)

# Beyond two session timeouts: the rebalance rounds that hand a dead member's partitions over.
JOIN_S = 10.0


class OtherMembers:
    """Tracks whether the partitions other members hold have caught up, and how long we waited."""

    def __init__(self, session_timeout_ms: int, join_s: float = JOIN_S) -> None:
        self._patience_s = 2 * session_timeout_ms / 1000 + join_s
        self._waiting_since: float | None = None
        self._assignment: set[Any] = set()

    def caught_up(self, client: KafkaConsumer, targets: Mapping[Any, int]) -> bool:
        """True when every partition in ``targets`` not assigned here has its group commit at its target.

        Also True once the wait for them ran out (see the module). ``targets`` holds the end
        offsets seen at start for every partition of the subscribed topics.
        """
        assigned = client.assignment()
        if assigned != self._assignment:  # a rebalance went through: give the next one its time
            self._assignment, self._waiting_since = set(assigned), None
        behind = sorted(
            (tp for tp, end in targets.items() if tp not in assigned and (client.committed(tp) or 0) < end),
            key=lambda tp: (tp.topic, tp.partition),
        )
        if not behind:
            return True
        now = time.monotonic()
        if self._waiting_since is None:
            self._waiting_since = now
        if now - self._waiting_since < self._patience_s:
            return False
        log.warning(
            "partitions %s are assigned to other members and not caught up: stopping without them",
            ", ".join(f"{tp.topic}[{tp.partition}]" for tp in behind),
        )
        return True
