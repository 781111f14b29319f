"""Per-stream load status: topic end offsets, warehouse offsets, lag, rows, dead letters, rate."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from streamduck.kafka.clients import broker_errors, consumer
from streamduck.ksql.model import SourceDefinition
from streamduck.load.offsets import WarehouseOffsets
from streamduck.settings import Settings
from streamduck.warehouse.connection import one_row
from streamduck.warehouse.layout import INTERNAL_SCHEMA, raw_table
from streamduck.warehouse.waits import WAITS

__all__ = ["stream_status", "warehouse_offsets"]


def stream_status(settings: Settings, streams: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """One row per source stream; lag is the sum over partitions of end offset minus warehouse offset."""
    from streamduck.load.sources import select_sources

    definitions = select_sources(settings, streams)
    ends = _end_offsets(settings, [d.topic for d in definitions])
    facts = _warehouse_facts(settings, definitions)
    rows = []
    for d in definitions:
        end = ends.get(d.topic, {})
        fact = facts.get(d.name, {})
        loaded = fact.get("offsets", {})
        rows.append(
            {
                "stream": d.name,
                "topic": d.topic,
                "end_offsets": end,
                "warehouse_offsets": loaded,
                "lag": sum(max(o - loaded.get(p, 0), 0) for p, o in end.items()),
                "rows": fact.get("rows", 0),
                "dead_letters": fact.get("dead_letters", 0),
                "last_load": fact.get("last_load"),
                "rate_per_s": fact.get("rate"),
                "problem": _uncovered(d.name, end, loaded),
            }
        )
    return rows


def _uncovered(stream: str, end: dict[int, int], loaded: dict[int, int]) -> str | None:
    """Partitions whose stored offset lies beyond the topic's end: the lag there is not 0 but unknown
    (a re-created topic or a broker that came back empty; ``load`` names the details)."""
    beyond = sorted(p for p, offset in loaded.items() if offset > end.get(p, -1))
    if not beyond:
        return None
    return (
        f"warehouse offsets beyond the topic's end on partition(s) {', '.join(map(str, beyond))}: the topic was "
        f"re-created or emptied; see `streamduck reset {stream} --to-earliest`"
    )


def warehouse_offsets(settings: Settings, group: str | None = None) -> dict[tuple[str, int], int]:
    """Per (topic, partition), the next offset the warehouse holds (for ``groups describe``).

    Warehouse offsets belong to streams, not groups; ``group`` is accepted for symmetry. When two
    streams map one topic, the smaller offset is shown.
    """
    del group
    with _loader_state(settings) as con:
        if con is None:
            return {}
        return WarehouseOffsets(con).lowest()


def _end_offsets(settings: Settings, topics: list[str]) -> dict[str, dict[int, int]]:
    from kafka import TopicPartition

    from streamduck.kafka.offsets import log_end_offsets

    with broker_errors(settings):
        client = consumer(settings)
        try:
            partitions = [
                TopicPartition(topic, p)
                for topic in topics
                for p in sorted(client.partitions_for_topic(topic) or ())
            ]
        finally:
            client.close()
    result: dict[str, dict[int, int]] = {topic: {} for topic in topics}
    for tp, offset in log_end_offsets(settings, partitions).items():
        result[tp.topic][tp.partition] = offset
    return result


@contextlib.contextmanager
def _loader_state(settings: Settings) -> Iterator[Any]:
    """A read-only connection to the warehouse; None when no loader has written to it yet."""
    if not settings.backend.exists():
        yield None
        return
    con = settings.backend.connect(read_only=True, wait_s=WAITS.read)
    try:
        (count,) = one_row(
            con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = 'offsets'",
                [INTERNAL_SCHEMA],
            )
        )
        yield con if count else None
    finally:
        con.close()


def _warehouse_facts(settings: Settings, definitions: list[SourceDefinition]) -> dict[str, dict[str, Any]]:
    with _loader_state(settings) as con:
        return {} if con is None else {d.name: _facts(con, d) for d in definitions}


def _facts(con: Any, definition: SourceDefinition) -> dict[str, Any]:
    name, topic = definition.name, definition.topic
    offsets = WarehouseOffsets(con).stored(name, topic)
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'raw' AND table_name = ?", [name]
    ).fetchone()[0]
    rows = con.execute(f"SELECT count(*) FROM {raw_table(definition)}").fetchone()[0] if exists else 0
    (dead,) = one_row(
        con.execute(f"SELECT count(*) FROM {INTERNAL_SCHEMA}.dead_letters WHERE stream = ?", [name])
    )
    recent = con.execute(
        f"""WITH h AS (SELECT * FROM {INTERNAL_SCHEMA}.load_history WHERE stream = ?),
                 latest AS (SELECT max(committed_at) AS m FROM h)
            SELECT strftime(m, '%Y-%m-%dT%H:%M:%SZ'),
                   round(sum(records) / greatest(epoch(m - min(started_at)), 0.001), 1)
            FROM h, latest WHERE committed_at >= m - INTERVAL 60 SECOND GROUP BY m""",
        [name],
    ).fetchone()  # rate: records per second over the last minute of loading
    last, rate = recent or (None, None)
    return {"offsets": offsets, "rows": rows, "dead_letters": dead, "last_load": last, "rate": rate}
