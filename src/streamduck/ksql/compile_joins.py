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
        if all(streams) and within is None:
            raise DefinitionError("Stream-Stream joins must have a WITHIN clause specified")
        if not all(streams) and within is not None:
            raise DefinitionError("A join with a table cannot have a WITHIN clause")
        if within is not None:
            before = interval_ms(within.args["before"], "WITHIN")
            after = interval_ms(within.args["after"], "WITHIN")
            _add_time_bounds(join, left_alias, right_alias, before, after)


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
