"""Joins: stream-stream (``WITHIN``), stream-table and table-table, as DuckDB joins.

A stream-stream join matches rows whose ROWTIMEs lie within the WITHIN bounds of each other. A
stream-table join matches each stream row with the table's current row for the key (ksqlDB uses the
table's state when the stream row arrived; over loaded data the current state is what a view can
show, see docs/ksql.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamduck.errors import DefinitionError

if TYPE_CHECKING:
    from sqlglot import exp

    from streamduck.ksql.compile_query import QueryCompiler

__all__ = ["apply_joins"]

_SIDES = {None: "INNER", "": "INNER", "INNER": "INNER", "LEFT": "LEFT", "RIGHT": "RIGHT", "FULL": "FULL"}


def apply_joins(compiler: QueryCompiler, select: exp.Expr) -> None:
    """Check each JOIN against ksqlDB's rules and turn WITHIN into ROWTIME bounds."""
    from streamduck.ksql.compile_windows import interval_ms

    joins = select.args.get("joins") or []
    for index, join in enumerate(joins, start=1):
        left_name, left_alias = compiler.sources[0]
        right_name, right_alias = compiler.sources[index]
        side = join.args.get("side") or join.args.get("kind")
        if (side or "").upper() not in _SIDES or (join.args.get("kind") or "").upper() == "CROSS":
            raise DefinitionError(f"{side} JOIN is not supported (INNER, LEFT, RIGHT and FULL OUTER are)")
        if join.args.get("on") is None:
            raise DefinitionError(f"JOIN {right_name} needs an ON condition")
        within = join.this.args.pop("within", None)
        streams = [compiler.kinds.get(n, "STREAM") == "STREAM" for n in (left_name, right_name)]
        _check_join(compiler, join, (left_name, left_alias), (right_name, right_alias), streams)
        if all(streams) and within is None:
            raise DefinitionError(
                "Stream-Stream joins must have a WITHIN clause specified. None was provided."
            )
        if not all(streams) and within is not None:
            pair = "Table-Table" if not any(streams) else "Stream-Table"
            raise DefinitionError(
                f"A window definition was provided for a {pair} join. These joins are not windowed. Please "
                "drop the window definition (ie. the WITHIN clause) and try to execute your join again."
            )
        if within is not None:
            before = interval_ms(within.args["before"], "WITHIN")
            after = interval_ms(within.args["after"], "WITHIN")
            _add_time_bounds(join, left_alias, right_alias, before, after)
            outer = _SIDES[(side or "").upper() or None]
            if outer != "INNER" and len(joins) == 1:
                grace = within.args.get("grace")
                closing = None
                if grace is not None:
                    closing = (before, after, interval_ms(grace, "GRACE PERIOD", allow_zero=True))
                _emit_unmatched(compiler, select, join, outer, closing)


_SHOWN_TYPES = {"INNER": "[INNER]", "LEFT": "LEFT [OUTER]", "RIGHT": "RIGHT [OUTER]", "FULL": "[FULL] OUTER"}


def _check_join(
    compiler: QueryCompiler,
    join: exp.Expr,
    left: tuple[str, str],
    right: tuple[str, str],
    streams: list[bool],
) -> None:
    """ksqlDB's join rules, with its messages: join order and type, and the key a table joins on."""
    side = _SIDES[((join.args.get("side") or join.args.get("kind") or "") or "").upper() or None]
    got = f"Got {left[1]} {_SHOWN_TYPES[side]} JOIN {right[1]}."
    if not streams[0] and streams[1]:
        raise DefinitionError(
            f"Invalid join order: table-stream joins are not supported; only stream-table joins. {got}"
        )
    if streams[0] and not streams[1] and side in ("FULL", "RIGHT"):
        kind = "full-outer" if side == "FULL" else "right-outer"
        raise DefinitionError(f"Invalid join type: {kind} join not supported for stream-table join. {got}")
    condition = join.args["on"]
    table_keys = compiler.keys.get(right[0])
    if streams[0] and not streams[1] and table_keys and _is_equality(condition):
        right_columns = [c for c in _sides(condition) if _refers_to(c, right, compiler)]
        if right_columns and not all(c.name.upper() in table_keys for c in right_columns):
            raise DefinitionError(
                "Invalid join condition: stream-table joins require to join on the table's primary key. "
                f"Got {_shown(condition)}."
            )


def _is_equality(condition: exp.Expr) -> bool:
    from sqlglot import exp

    return isinstance(condition, exp.EQ)


def _sides(condition: exp.Expr) -> list[exp.Expr]:
    from sqlglot import exp

    return [side for side in (condition.this, condition.expression) if isinstance(side, exp.Column)]


def _refers_to(column: exp.Expr, source: tuple[str, str], compiler: QueryCompiler) -> bool:
    """Whether a join-condition column belongs to ``source`` (by qualifier, else by being its own)."""
    table = column.args.get("table")
    if table is not None:
        return table.name.upper() in (source[0], source[1].upper())
    name = column.name.upper()
    owners = [n for n, _ in compiler.sources if name in {c.upper() for c in compiler.columns_of(n)}]
    return owners == [source[0]]


def _shown(condition: exp.Expr) -> str:
    from sqlglot import exp

    bare = condition.copy().transform(
        lambda n: (
            exp.column(n.name.upper(), table=n.table.upper() or None) if isinstance(n, exp.Column) else n
        )
    )
    return bare.sql("duckdb").replace('"', "")


def _add_time_bounds(join: exp.Expr, left: str, right: str, before: int, after: int) -> None:
    import sqlglot
    from sqlglot import exp

    from streamduck.ksql.names import quote_sql

    bounds = sqlglot.parse_one(
        f"{quote_sql(right)}.ROWTIME BETWEEN {quote_sql(left)}.ROWTIME - {before} "
        f"AND {quote_sql(left)}.ROWTIME + {after}",
        read="duckdb",
    )
    join.set("on", exp.and_(join.args["on"], bounds))


def _emit_unmatched(
    compiler: QueryCompiler,
    select: exp.Expr,
    join: exp.Expr,
    outer: str,
    closing: tuple[int, int, int] | None,
) -> None:
    """When a stream-stream outer join emits a row with NULLs for the other side, as Kafka Streams does.

    Without GRACE PERIOD (``closing`` None; ksqlDB then uses ``JoinWindows.of``) it is eager: a row
    that arrives with no match yet gives a row with NULLs, and each later match a joined row (QTT
    joins.json shows both). With one (``closing``: before, after and grace, in ms) a row with no
    match at all gives its NULL row once its window closed: stream time (the newest ROWTIME of both
    sides) passed its ROWTIME plus the window on its side plus the grace period.

    Each side that may go unmatched gets a marker row of NULLs, which a row of the other side joins
    when it goes unmatched (ROWTIME order, the right row first on ties); the join becomes an inner
    join over the sides and their markers.
    """
    import sqlglot
    from sqlglot import exp

    from streamduck.ksql.names import quote_sql

    from_ = select.args.get("from_") or select.args.get("from")
    assert from_ is not None
    left, right = from_.this, join.this
    condition = join.args["on"]
    sides = {"LEFT": (True, False), "RIGHT": (False, True), "FULL": (True, True)}[outer]

    def marked(table: exp.Expr, other: exp.Expr, own_first: str, may_miss: bool) -> exp.Expr:
        """``table`` as a subquery with ``__M`` (1: the marker row) and ``__EARLY`` (matched before)."""
        name = compiler.sources[0 if table is left else 1][0]
        inner_other = other.copy()
        earlier = sqlglot.parse_one(
            own_first.format(own=table.alias_or_name, other=other.alias_or_name), read="duckdb"
        )
        matched_before = exp.Exists(
            this=exp.select("1").from_(inner_other).where(exp.and_(condition.copy(), earlier))
        )
        rows = exp.select("*", exp.alias_(exp.Literal.number(0), "__M", quoted=True)).from_(table.copy())
        rows = rows.select(exp.alias_(matched_before if may_miss else exp.false(), "__EARLY", quoted=True))
        nulls = [exp.alias_(exp.null(), column, quoted=True) for column in compiler.columns_of(name)]
        marker = exp.select(
            *nulls,
            exp.alias_(exp.Literal.number(1), "__M", quoted=True),
            exp.alias_(exp.false(), "__EARLY", quoted=True),
        )
        union = exp.union(rows, marker, distinct=False)
        return union.subquery(exp.to_identifier(table.alias_or_name))

    def flag(table: exp.Expr, column: str) -> exp.Expr:
        return exp.column(column, table=table.alias_or_name, quoted=True)

    def real(table: exp.Expr) -> exp.Expr:
        return exp.EQ(this=flag(table, "__M"), expression=exp.Literal.number(0))

    def marker(table: exp.Expr) -> exp.Expr:
        return exp.EQ(this=flag(table, "__M"), expression=exp.Literal.number(1))

    # On a tie the right row came first: a left row sees a right one of the same ROWTIME as earlier.
    left_first, right_first = "{other}.ROWTIME <= {own}.ROWTIME", "{other}.ROWTIME < {own}.ROWTIME"
    unmatched_left: exp.Expr = exp.Not(this=flag(left, "__EARLY"))
    unmatched_right: exp.Expr = exp.Not(this=flag(right, "__EARLY"))
    if closing is not None:  # any match at all counts, and the window must have closed
        left_first = right_first = "TRUE"
        before, after, grace = closing
        names = [quote_sql(compiler.sources[i][0]) for i in (0, 1)]
        now = f"(SELECT max(ROWTIME) FROM (SELECT ROWTIME FROM {names[0]} UNION ALL SELECT ROWTIME FROM {names[1]}))"
        for side_table, reach in ((left, after), (right, before)):
            closed = sqlglot.parse_one(
                f"{quote_sql(side_table.alias_or_name)}.ROWTIME + {reach + grace} < {now}", read="duckdb"
            )
            if side_table is left:
                unmatched_left = exp.and_(unmatched_left, closed)
            else:
                unmatched_right = exp.and_(unmatched_right, closed)
        # A NULL row is emitted when its window closes, after the matches made before that.
        compiler.emission_order = sqlglot.parse_one(
            f"CASE WHEN {quote_sql(right.alias_or_name)}.__M = 1 THEN {quote_sql(left.alias_or_name)}.ROWTIME + "
            f"{closing[1] + closing[2]} WHEN {quote_sql(left.alias_or_name)}.__M = 1 THEN "
            f"{quote_sql(right.alias_or_name)}.ROWTIME + {closing[0] + closing[2]} END",
            read="duckdb",
        )
    options = [exp.and_(condition.copy(), real(left), real(right))]
    if sides[0]:
        options.append(exp.and_(real(left), marker(right), unmatched_left))
    if sides[1]:
        options.append(exp.and_(marker(left), real(right), unmatched_right))
    new_left = marked(left, right, left_first, sides[0])
    new_right = marked(right, left, right_first, sides[1])
    from_.set("this", new_left)
    join.set("this", new_right)
    join.set("on", exp.or_(*options))
    join.set("side", None)
    join.set("kind", None)
