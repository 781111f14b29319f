"""``streamduck reset STREAM``: move a stream's warehouse position, like ``kafka-consumer-groups
--reset-offsets`` but for the offsets that decide what the loader loads next.

A dry run unless ``execute``: it reports, per partition, the current and the new position and the
rows affected. Executed, the move is one transaction (see :mod:`streamduck.load.reposition`): a
rewind deletes the rows and dead letters at and after the new position, so the next load lands
them again exactly once; a move forward records the records passed over as skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from streamduck.errors import ConfigError

if TYPE_CHECKING:
    from streamduck.load.coverage import TopicLog
    from streamduck.load.reposition import Move
    from streamduck.settings import Settings

__all__ = ["LOADER_GROUP_PREFIX", "ResetTarget", "refuse_loader_group", "reset_stream"]

LOADER_GROUP_PREFIX = "streamduck-loader"
"""Loader groups are named so (see :func:`streamduck.load.sources.default_group`)."""


@dataclass(frozen=True)
class ResetTarget:
    """Exactly one of: earliest, latest, offsets per partition, a time, a shift."""

    earliest: bool = False
    latest: bool = False
    offsets: dict[int, int] | None = None
    at: dt.datetime | None = None
    shift_by: int | None = None

    def __post_init__(self) -> None:
        chosen = [
            self.earliest,
            self.latest,
            self.offsets is not None,
            self.at is not None,
            self.shift_by is not None,
        ]
        if sum(chosen) != 1:
            raise ConfigError(
                "choose exactly one of --to-earliest, --to-latest, --to-offset P:N, --to-datetime ISO, --shift-by N"
            )

    def describe(self) -> str:
        if self.earliest:
            return "--to-earliest"
        if self.latest:
            return "--to-latest"
        if self.offsets is not None:
            return "--to-offset " + " ".join(f"{p}:{o}" for p, o in sorted(self.offsets.items()))
        if self.at is not None:
            return f"--to-datetime {self.at.isoformat()}"
        return f"--shift-by {self.shift_by}"


def reset_stream(
    settings: Settings, stream: str, target: ResetTarget, *, execute: bool = False
) -> list[Move]:
    """Plan (and with ``execute``, carry out) moving ``stream``'s warehouse offsets to ``target``.

    Raises:
        ConfigError: no such stream, or an offset outside the partition's log.
        TopicNotFound: the stream's topic does not exist.
    """
    from streamduck.load.coverage import read_topic_log
    from streamduck.load.reposition import apply_moves, plan_moves, stored_positions
    from streamduck.load.sources import select_sources
    from streamduck.warehouse.waits import WAITS

    (definition,) = select_sources(settings, [stream])
    log = read_topic_log(settings, definition.topic)
    # A dry run only reads (it works beside a running loader); executing waits its turn like a loader.
    con = settings.backend.connect(read_only=not execute, wait_s=WAITS.load if execute else WAITS.read)
    try:
        stored, stored_ids = stored_positions(con, definition)
        targets = _targets(settings, definition.topic, target, log, stored)
        renewed = {
            p
            for p, offset in stored.items()
            if p in targets
            and (
                (stored_ids.get(p) and log.topic_id and stored_ids[p] != log.topic_id)
                or offset > log.partitions[p].end
            )
        }
        moves = plan_moves(con, definition, targets, renewed)
        if execute:
            apply_moves(
                con, definition, moves, topic_id=log.topic_id,
                reason=f"streamduck reset {definition.name} {target.describe()}", by="streamduck reset",
            )  # fmt: skip
    finally:
        con.close()
    return moves


def _targets(
    settings: Settings, topic: str, target: ResetTarget, log: TopicLog, stored: dict[int, int]
) -> dict[int, int]:
    spans = log.partitions
    if target.earliest:
        return {p: span.start for p, span in spans.items()}
    if target.latest:
        return {p: span.end for p, span in spans.items()}
    if target.offsets is not None:
        unknown = sorted(set(target.offsets) - set(spans))
        if unknown:
            raise ConfigError(f"topic {topic!r} has no partition {unknown[0]} (partitions: {sorted(spans)})")
        for p, offset in target.offsets.items():
            if not spans[p].start <= offset <= spans[p].end:
                raise ConfigError(
                    f"offset {offset} is outside partition {p} of topic {topic!r}, which covers "
                    f"{spans[p].start} to {spans[p].end}"
                )
        return dict(target.offsets)
    if target.at is not None:
        from kafka import TopicPartition

        from streamduck.kafka.timestamps import offsets_at_time

        at = target.at if target.at.tzinfo else target.at.replace(tzinfo=dt.UTC)
        found = offsets_at_time(
            settings, [TopicPartition(topic, p) for p in spans], int(at.timestamp() * 1000)
        )
        return {tp.partition: spans[tp.partition].end if o is None else o for tp, o in found.items()}
    assert target.shift_by is not None
    return {
        p: min(max(stored.get(p, span.start) + target.shift_by, span.start), span.end)
        for p, span in spans.items()
    }


def refuse_loader_group(settings: Settings, group: str, topics: list[str] | None = None) -> None:
    """Refuse ``groups reset-offsets`` on a loader's group: the warehouse's offsets decide what loads.

    Raises:
        ConfigError: ``group`` is a streamduck loader's group; the message names ``streamduck reset``
            with the streams of the warehouse whose topics are concerned.
    """
    from streamduck.load.sources import default_group, project_sources

    if group != default_group(settings) and not group.startswith(LOADER_GROUP_PREFIX):
        return
    wanted = {t.split(":", 1)[0] for t in topics or []}
    streams = [d.name for d in project_sources(settings) if not wanted or d.topic in wanted]
    stream = streams[0] if len(streams) == 1 else "STREAM"
    listed = f" (streams: {', '.join(streams)})" if len(streams) > 1 else ""
    raise ConfigError(
        f"group {group} belongs to a streamduck loader: its loads continue from the warehouse's offsets, "
        f"so resetting the group's would not change what is loaded. Run `streamduck reset {stream} "
        f"--to-earliest|--to-latest|--to-offset P:N|--to-datetime ISO|--shift-by N`{listed} instead: "
        "a dry run first, then --execute moves rows and offsets together"
    )
