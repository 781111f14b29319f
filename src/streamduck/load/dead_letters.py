"""Inspecting and re-ingesting quarantined records (``streamduck dead-letters list | replay``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from streamduck.load.classify import STAGED, stage
from streamduck.settings import Settings
from streamduck.warehouse.landing import land_staged
from streamduck.warehouse.layout import INTERNAL_SCHEMA, ensure_internal, ensure_source
from streamduck.warehouse.sqltext import quote_string
from streamduck.warehouse.waits import WAITS

__all__ = ["list_dead_letters", "replay_dead_letters"]


def list_dead_letters(
    settings: Settings, stream: str | None = None, reason: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Dead letters, newest first: coordinates, reason, detail, and key/value previews."""
    if not settings.backend.exists():
        return []
    con = settings.backend.connect(read_only=True, wait_s=WAITS.read)
    try:
        ensure_exists = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = 'dead_letters'",
            [INTERNAL_SCHEMA],
        ).fetchone()
        if not ensure_exists or not ensure_exists[0]:
            return []
        cursor = con.execute(
            f"""SELECT stream, topic, "partition", "offset", reason, detail,
                       TRY(decode("key")) AS "key", left(coalesce(TRY(decode("value")), "value"::VARCHAR), 120) AS "value",
                       octet_length("value") AS value_bytes, strftime(dead_at, '%Y-%m-%dT%H:%M:%SZ') AS dead_at
                FROM {INTERNAL_SCHEMA}.dead_letters
                WHERE ($stream IS NULL OR upper(stream) = upper($stream)) AND ($reason IS NULL OR reason = $reason)
                ORDER BY dead_at DESC, stream, "partition", "offset" LIMIT $limit""",
            {"stream": stream, "reason": reason, "limit": limit},
        )
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def replay_dead_letters(
    settings: Settings,
    streams: Sequence[str] | None = None,
    reason: str | None = None,
    max_value_bytes: int = 256 * 1024,
) -> list[dict[str, Any]]:
    """Re-classify dead letters with the current definitions; load the ones that now pass.

    Idempotent: replayed records move from the dead-letter table to the landing table in one
    transaction (keyed on coordinates), so running it twice changes nothing the second time.
    """
    from streamduck.load.sources import select_sources

    definitions = select_sources(settings, streams)
    con = settings.backend.connect(wait_s=WAITS.load)
    try:
        ensure_internal(con)
        return [_replay_stream(con, d, reason, max_value_bytes) for d in definitions]
    finally:
        con.close()


def _replay_stream(con: Any, definition: Any, reason: str | None, max_value_bytes: int) -> dict[str, Any]:
    ensure_source(con, definition)
    where = f"stream = {quote_string(definition.name)} AND topic = {quote_string(definition.topic)}"
    if reason:
        where += f" AND reason = {quote_string(reason)}"
    source = f"""(SELECT "partition", "offset", timestamp_ms, "key", headers, "value"
                  FROM {INTERNAL_SCHEMA}.dead_letters WHERE {where})"""
    con.execute("BEGIN TRANSACTION")
    try:
        stage(con, definition, source, max_value_bytes)
        land_staged(con, definition, STAGED, out_of_order=True)
        (replayed,) = con.execute(
            f"""DELETE FROM {INTERNAL_SCHEMA}.dead_letters d WHERE {where}
                AND EXISTS (SELECT 1 FROM {STAGED} s WHERE s.reason IS NULL
                            AND s."partition" = d."partition" AND s."offset" = d."offset")"""
        ).fetchone()
        (remaining,) = con.execute(
            f"SELECT count(*) FROM {INTERNAL_SCHEMA}.dead_letters WHERE {where}"
        ).fetchone()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {"stream": definition.name, "replayed": replayed, "still_dead": remaining}
