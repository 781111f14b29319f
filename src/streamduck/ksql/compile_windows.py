"""Windowed aggregation: ``WINDOW TUMBLING | HOPPING | SESSION`` as DuckDB SQL.

ROWTIME is epoch milliseconds (BIGINT), as in ksqlDB. The source is wrapped in a subquery that adds
the window each row falls in (``__WS``; sessions also ``__SID``), the WHERE clause moves inside it
(rows are filtered before they are windowed), and the window joins the GROUP BY. WINDOWSTART and
WINDOWEND are BIGINT milliseconds, like ksqlDB's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamduck.errors import DefinitionError
from streamduck.ksql.names import quote_sql

if TYPE_CHECKING:
    from sqlglot import exp

    from streamduck.ksql.compile_query import QueryCompiler
    from streamduck.ksql.dialect import KsqlWindow

__all__ = ["apply_window", "check_bounds_usage", "duration_text_ms", "interval_ms"]

_UNIT_MS = {
    "MILLISECOND": 1,
    "SECOND": 1000,
    "MINUTE": 60_000,
    "HOUR": 3_600_000,
    "DAY": 86_400_000,
}


def interval_ms(interval: exp.Expr | None, construct: str, allow_zero: bool = False) -> int:
    """``1 HOUR`` -> 3600000; a missing or non-positive duration is an error naming ``construct``."""
    if interval is None:
        raise DefinitionError(f"{construct}: a duration is required")
    unit = interval.args["unit"].name.upper().rstrip("S")
    if unit not in _UNIT_MS:
        raise DefinitionError(f"{construct}: unknown time unit '{interval.args['unit'].name}'")
    amount = int(interval.this.name)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise DefinitionError(f"{construct}: the duration must be positive")
    return amount * _UNIT_MS[unit]


def duration_text_ms(text: str) -> int:
    """``'10 SECONDS'`` (a WITH property's duration, as ksqlDB's DurationParser reads it) -> 10000.

    Raises:
        ValueError: not ``<number> <unit>`` with a known unit (the message says which).
    """
    parts = text.split()
    if len(parts) != 2 or not parts[0].isdigit():
        raise ValueError(
            f"Expected 2 tokens, got: {len(parts)}" if len(parts) != 2 else f"Not numeric: '{parts[0]}'"
        )
    unit = parts[1].upper()
    unit = unit if unit in _UNIT_MS else unit.removesuffix("S")
    if unit not in _UNIT_MS:
        raise ValueError(f"Unknown time unit: '{parts[1].upper()}'")
    return int(parts[0]) * _UNIT_MS[unit]


_DEPRECATED_DEFAULT_GRACE_MS = 24 * 3_600_000
"""Kafka Streams' ``TimeWindows.of(size)`` (what ksqlDB builds without GRACE PERIOD) keeps a window
open for 24 hours minus its size after it ends; EMIT FINAL without GRACE PERIOD closes it at its end
(ksqlDB's QTT suppress.json: "should emit at window end if no grace period given")."""


def _grace_ms(window: KsqlWindow, final: bool, size: int) -> int:
    grace = window.args.get("grace")
    if grace is not None:
        return interval_ms(grace, "GRACE PERIOD", allow_zero=True)
    return 0 if final else max(_DEPRECATED_DEFAULT_GRACE_MS - size, 0)


def apply_window(
    compiler: QueryCompiler, select: exp.Expr, window: KsqlWindow, final: bool = False
) -> list[str]:
    """Rewrite ``select`` for its window; return output names added (WINDOWSTART/END if missing).

    As in Kafka Streams, a row reaching a time window after stream time (the newest ROWTIME the
    aggregation had read, in offset order per partition) passed the window's end plus its grace
    period is late: that window drops it. ``final`` (``EMIT FINAL``) keeps only closed windows:
    stream time has reached the window's end plus its grace period (plus the gap, for a session).
    """
    import sqlglot
    from sqlglot import exp

    if len(compiler.sources) != 1:
        raise DefinitionError("WINDOW on a join is not supported")
    relation, alias = compiler.sources[0]
    kind = window.this
    group = select.args["group"]
    inner_where = _pop_where(select)
    if kind == "SESSION":
        gap = interval_ms(window.args.get("gap"), "WINDOW SESSION")
        ordered = {"ROWPARTITION", "ROWOFFSET"} <= set(compiler.columns_of(relation))
        grace = _grace_ms(window, final, gap)
        subquery = _session_source(relation, group.expressions, gap, inner_where, grace, ordered)
        start, end = "min(ROWTIME)", "max(ROWTIME)"
        group.append("expressions", exp.column("__SID", quoted=True))
        wait = grace + gap  # Kafka Streams closes a session a gap after its end, plus the grace
    else:
        size = interval_ms(window.args.get("size"), f"WINDOW {kind} SIZE")
        advance = size
        if kind == "HOPPING":
            advance = interval_ms(window.args.get("advance"), "WINDOW HOPPING ADVANCE BY")
            if advance > size:
                raise DefinitionError("WINDOW HOPPING: ADVANCE BY must not exceed SIZE")
        ordered = {"ROWPARTITION", "ROWOFFSET"} <= set(compiler.columns_of(relation))
        grace = _grace_ms(window, final, size)
        subquery = _fixed_source(relation, size, advance, inner_where, grace, ordered)
        start, end = '"__WS"', f'"__WS" + {size}'
        group.append("expressions", exp.column("__WS", quoted=True))
        wait = grace
    if final:
        _only_closed(select, relation, end, wait, inner_where)
    from_ = select.args.get("from_") or select.args.get("from")
    assert from_ is not None, "a windowed query has a FROM"
    windowed = sqlglot.parse_one(subquery, read="duckdb")
    assert isinstance(windowed, exp.Select)
    from_.set("this", windowed.subquery(exp.to_identifier(alias, quoted=True)))
    return _bounds(select, start, end)


def _only_closed(select: exp.Expr, relation: str, end: str, wait: int, where: str) -> None:
    """Keep the windows stream time closed (stream time over the rows the aggregation reads)."""
    import sqlglot
    from sqlglot import exp

    closed = sqlglot.parse_one(
        f"{end} + {wait} <= (SELECT max(ROWTIME) FROM {quote_sql(relation)} {where})", read="duckdb"
    )
    having = select.args.get("having")
    select.set("having", exp.Having(this=exp.and_(having.this, closed) if having else closed))


def _pop_where(select: exp.Expr) -> str:
    where = select.args.get("where")
    if where is None:
        return ""
    select.set("where", None)
    condition = where.this.transform(_unqualify)
    return f"WHERE {condition.sql('duckdb')}"


def _unqualify(node: exp.Expr) -> exp.Expr:
    from sqlglot import exp

    if isinstance(node, exp.Column) and node.args.get("table") is not None:
        return exp.column(node.name, quoted=True)
    return node


def _fixed_source(relation: str, size: int, advance: int, where: str, grace: int, ordered: bool) -> str:
    """Rows with the start ``__WS`` of each time window they fall in, late ones left out of it."""
    # Stream time as each row arrives: the newest ROWTIME read so far (offset order per partition).
    order = "PARTITION BY ROWPARTITION ORDER BY ROWOFFSET" if ordered else "ORDER BY ROWTIME"
    rows = (
        f"SELECT *, max(ROWTIME) OVER ({order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS __ST "
        f"FROM {quote_sql(relation)} {where}"
    )
    if size == advance:  # tumbling
        windowed = f"SELECT *, (ROWTIME // {size}) * {size} AS __WS FROM ({rows})"
    else:
        first = f"(CAST(floor((ROWTIME - {size}) / {advance}.0) AS BIGINT) + 1) * {advance}"
        last = f"(ROWTIME // {advance}) * {advance}"
        windowed = f"SELECT *, unnest(generate_series(greatest({first}, 0), {last}, {advance})) AS __WS FROM ({rows})"
    return f"SELECT * EXCLUDE (__ST) FROM ({windowed}) WHERE __WS + {size} + {grace} > __ST"


def _session_source(
    relation: str, keys: list[exp.Expr], gap: int, where: str, grace: int, ordered: bool
) -> str:
    """Rows numbered by the session ``__SID`` they fall in (per key), late ones left out.

    Late, as Kafka Streams' session aggregation decides it: the session the row would merge into
    ends before stream time minus the grace period. That session's end is taken as the newest
    earlier ROWTIME of the key when it lies within the gap of the row (else the row's own).
    """
    partition = ", ".join(k.transform(_unqualify).sql("duckdb") for k in keys) or "1"
    arrival = "ROWPARTITION, ROWOFFSET" if ordered else "ROWTIME"
    stream_order = "PARTITION BY ROWPARTITION ORDER BY ROWOFFSET" if ordered else "ORDER BY ROWTIME"
    rows = (
        f"SELECT *, max(ROWTIME) OVER ({stream_order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS __ST, "
        f"max(ROWTIME) OVER (PARTITION BY {partition} ORDER BY {arrival} "
        f"ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS __PREV "
        f"FROM {quote_sql(relation)} {where}"
    )
    merged_end = f"greatest(ROWTIME, CASE WHEN __PREV >= ROWTIME - {gap} THEN __PREV END)"
    kept = f"SELECT * EXCLUDE (__ST, __PREV) FROM ({rows}) WHERE {merged_end} >= __ST - {grace}"
    over = f"OVER (PARTITION BY {partition} ORDER BY ROWTIME, ROWPARTITION, ROWOFFSET)"
    flagged = (
        f"SELECT *, CASE WHEN ROWTIME - lag(ROWTIME) {over} <= {gap} THEN 0 ELSE 1 END AS __NEW FROM ({kept})"
    )
    return f"SELECT * EXCLUDE (__NEW), sum(__NEW) {over} AS __SID FROM ({flagged})"


def check_bounds_usage(select: exp.Expr, windowed_source: bool) -> None:
    """Where an aggregation may name WINDOWSTART/WINDOWEND, with ksqlDB's messages: only in its
    SELECT, outside aggregate calls (not in WHERE, GROUP BY or HAVING, nor an aggregate's argument).
    ``windowed_source``: the rows read carry their own bounds (a windowed source), which WHERE may use.
    """
    from sqlglot import exp

    from streamduck.ksql.compile_aggregates import AGGREGATES
    from streamduck.ksql.names import WINDOW_BOUNDS

    def first_bound(node: exp.Expr | None) -> str | None:
        for column in node.find_all(exp.Column) if node is not None else ():
            if column.name.upper() in WINDOW_BOUNDS:
                return column.name.upper()
        return None

    where = select.args.get("where")
    unknown = None if windowed_source else first_bound(where)
    if unknown is not None:
        raise DefinitionError(f"Error in WHERE expression: Unknown column {unknown}.")
    calls = [c for c in select.find_all(exp.Anonymous) if c.name.upper() in AGGREGATES]
    group = select.args.get("group")
    if group is None and not calls:
        return
    misplaced = [first_bound(group), first_bound(select.args.get("having"))]
    misplaced += [first_bound(c) for c in calls]
    bound = next((b for b in misplaced if b is not None), None)
    if bound is not None:
        raise DefinitionError(
            f"Window bounds column {bound} can only be used in the SELECT clause of windowed aggregations"
        )


def _bounds(select: exp.Expr, start: str, end: str) -> list[str]:
    """Replace WINDOWSTART/WINDOWEND references; add both as outputs when not projected."""
    import sqlglot
    from sqlglot import exp

    bounds = {"WINDOWSTART": start, "WINDOWEND": end}
    projected = {p.alias_or_name.upper() for p in select.expressions}
    for column in list(select.find_all(exp.Column)):
        name = column.name.upper()
        if name in bounds:  # in parentheses: WINDOWEND is an addition inside `COUNT(*) * WINDOWEND`
            column.replace(exp.Paren(this=sqlglot.parse_one(bounds[name], read="duckdb")))
    added = []
    for name, sql in bounds.items():
        if name not in projected:
            select.append("expressions", sqlglot.parse_one(sql, read="duckdb"))
            added.append(name)
    return added
