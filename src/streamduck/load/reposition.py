"""Moving a stream's warehouse position coherently, in one transaction with what it implies.

Used by ``streamduck reset`` and by ``load --on-offset-reset earliest|latest``. Per partition:

- **rewind** (new position below the stored one, same topic incarnation): the stream's rows and dead
  letters at and after the new position are deleted, so the next load lands that range again,
  exactly once;
- **forward** (new position above): nothing is deleted; the records passed over are written to
  load history as skipped, on request;
- **new incarnation** (the topic was re-created, or the broker came back empty): the rows and dead
  letters of the earlier incarnation stay, their ``topic`` column marked ``<topic>@<old topic id>``
  (``@earlier`` where the broker gave no id), so they are told apart from the new records, which
  reuse the same offsets.

The offsets and a load-history row (``action`` says which of the above, ``detail`` why) commit
together with those changes. A loader committing at the same time loses its compare-and-set and
continues from the new position.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from streamduck.ksql.model import SourceDefinition
from streamduck.warehouse.connection import one_row
from streamduck.warehouse.landing import rebuild_latest
from streamduck.warehouse.schema import INTERNAL_SCHEMA, raw_table

if TYPE_CHECKING:
    import duckdb

__all__ = ["Move", "apply_moves", "plan_moves", "stored_positions"]


@dataclass(frozen=True)
class Move:
    """One partition's change of position, as a dry run shows it."""

    partition: int
    current: int | None
    new: int
    action: str
    """``rewind``, ``forward``, ``new incarnation`` or ``unchanged``."""
    rows: int
    """Rows and dead letters deleted (rewind) or marked (new incarnation); records skipped (forward)."""


def stored_positions(
    con: duckdb.DuckDBPyConnection, definition: SourceDefinition
) -> tuple[dict[int, int], dict[int, str | None]]:
    """Per partition, the stream's next offset and the topic id it was loaded from."""
    rows = con.execute(
        f'SELECT "partition", next_offset, topic_id FROM {INTERNAL_SCHEMA}.offsets WHERE stream = ? AND topic = ?',
        [definition.name, definition.topic],
    ).fetchall()
    return {p: o for p, o, _ in rows}, {p: t for p, _, t in rows}


def plan_moves(
    con: duckdb.DuckDBPyConnection,
    definition: SourceDefinition,
    targets: Mapping[int, int],
    new_incarnation: set[int] | frozenset[int] = frozenset(),
) -> list[Move]:
    """What moving to ``targets`` (partition -> new next offset) does, partition by partition."""
    current, _ = stored_positions(con, definition)
    moves = []
    for partition, new in sorted(targets.items()):
        now = current.get(partition)
        if partition in new_incarnation and now is not None:
            moves.append(
                Move(partition, now, new, "new incarnation", _landed(con, definition, partition, None))
            )
        elif now is not None and new < now:
            moves.append(Move(partition, now, new, "rewind", _landed(con, definition, partition, new)))
        elif new > (now or 0):
            moves.append(Move(partition, now, new, "forward", new - (now or 0)))
        else:
            moves.append(Move(partition, now, new, "unchanged", 0))
    return moves


def apply_moves(
    con: duckdb.DuckDBPyConnection,
    definition: SourceDefinition,
    moves: list[Move],
    *,
    topic_id: str | None,
    reason: str,
    by: str,
    guarantee: str = "-",
) -> None:
    """Carry out ``moves`` in one transaction: rows, dead letters, offsets and a load-history row."""
    changed = [m for m in moves if m.action != "unchanged"]
    if not changed:
        return
    _, stored_ids = stored_positions(con, definition)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute("BEGIN TRANSACTION")
    try:
        for move in changed:
            if move.action == "rewind":
                _delete_from(con, definition, move.partition, move.new)
            elif move.action == "new incarnation":
                _mark_earlier(con, definition, move.partition, stored_ids.get(move.partition))
            _store_offset(con, definition, move.partition, move.new, topic_id, by, now)
        detail = {
            "reason": reason,
            "moves": [
                {"partition": m.partition, "from": m.current, "to": m.new, "action": m.action, "rows": m.rows}
                for m in changed
            ],
        }
        skipped = sum(m.rows for m in changed if m.action == "forward")
        con.execute(
            f"""INSERT INTO {INTERNAL_SCHEMA}.load_history
                (batch_id, stream, topic, guarantee, loader, ranges, records, "rows", dead_letters, duplicates,
                 "bytes", started_at, committed_at, duration_ms, action, detail, topic_id)
                SELECT coalesce(max(batch_id), 0) + 1, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, ?, ?, 0, ?, ?, ?
                FROM {INTERNAL_SCHEMA}.load_history""",
            [
                definition.name, definition.topic, guarantee, by,
                json.dumps({str(m.partition): [m.current, m.new] for m in changed}), now, now,
                "skipped" if skipped and all(m.action == "forward" for m in changed) else "reset",
                json.dumps(detail), topic_id,
            ],
        )  # fmt: skip
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _store_offset(
    con: duckdb.DuckDBPyConnection, definition: SourceDefinition, partition: int, offset: int,
    topic_id: str | None, by: str, now: dt.datetime,
) -> None:  # fmt: skip
    """Set the partition's next offset (backwards too): UPDATE, or INSERT when never stored (no
    ON CONFLICT: a DuckLake has no keys)."""
    params = {
        "stream": definition.name, "topic": definition.topic, "partition": partition, "offset": offset,
        "topic_id": topic_id, "by": by, "now": now,
    }  # fmt: skip
    con.execute(
        f"""UPDATE {INTERNAL_SCHEMA}.offsets
            SET next_offset = $offset, loader = $by, updated_at = $now, topic_id = coalesce($topic_id, topic_id)
            WHERE stream = $stream AND topic = $topic AND "partition" = $partition""",
        params,
    )
    con.execute(
        f"""INSERT INTO {INTERNAL_SCHEMA}.offsets
                (stream, topic, "partition", next_offset, loader, updated_at, topic_id)
            SELECT $stream, $topic, $partition, $offset, $by, $now, $topic_id
            WHERE NOT EXISTS (SELECT 1 FROM {INTERNAL_SCHEMA}.offsets
                WHERE stream = $stream AND topic = $topic AND "partition" = $partition)""",
        params,
    )


def _landed(
    con: duckdb.DuckDBPyConnection, definition: SourceDefinition, partition: int, at: int | None
) -> int:
    """Rows and dead letters of the current incarnation in ``partition`` at or after offset ``at`` (all: None)."""
    floor = -1 if at is None else at
    raw = 0
    if _has_raw_table(con, definition):
        (raw,) = one_row(
            con.execute(
                f"SELECT count(*) FROM {raw_table(definition)} WHERE __topic = ? AND ROWPARTITION = ? AND ROWOFFSET >= ?",
                [definition.topic, partition, floor],
            )
        )
    (dead,) = one_row(
        con.execute(
            f"""SELECT count(*) FROM {INTERNAL_SCHEMA}.dead_letters
            WHERE stream = ? AND topic = ? AND "partition" = ? AND "offset" >= ?""",
            [definition.name, definition.topic, partition, floor],
        )
    )
    return int(raw) + int(dead)


def _delete_from(
    con: duckdb.DuckDBPyConnection, definition: SourceDefinition, partition: int, at: int
) -> None:
    if _has_raw_table(con, definition):
        con.execute(
            f"DELETE FROM {raw_table(definition)} WHERE __topic = ? AND ROWPARTITION = ? AND ROWOFFSET >= ?",
            [definition.topic, partition, at],
        )
        rebuild_latest(con, definition)
    con.execute(
        f"""DELETE FROM {INTERNAL_SCHEMA}.dead_letters
            WHERE stream = ? AND topic = ? AND "partition" = ? AND "offset" >= ?""",
        [definition.name, definition.topic, partition, at],
    )


def _mark_earlier(
    con: duckdb.DuckDBPyConnection, definition: SourceDefinition, partition: int, old_topic_id: str | None
) -> None:
    marked = f"{definition.topic}@{old_topic_id or 'earlier'}"
    if _has_raw_table(con, definition):
        con.execute(
            f"UPDATE {raw_table(definition)} SET __topic = ? WHERE __topic = ? AND ROWPARTITION = ?",
            [marked, definition.topic, partition],
        )
        rebuild_latest(con, definition)  # the current incarnation's rows come first now
    con.execute(
        f"""UPDATE {INTERNAL_SCHEMA}.dead_letters SET topic = ?
            WHERE stream = ? AND topic = ? AND "partition" = ?""",
        [marked, definition.name, definition.topic, partition],
    )


def _has_raw_table(con: duckdb.DuckDBPyConnection, definition: SourceDefinition) -> bool:
    (count,) = one_row(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'raw' AND table_name = ?",
            [definition.name],
        )
    )
    return bool(count)
