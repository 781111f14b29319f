"""Aggregating a TABLE: groups that lost all their rows keep a row, as in ksqlDB.

ksqlDB aggregates a table with an adder and a subtractor: an updated row is taken out of its old
group and added to its new one, a deleted row is taken out. A group whose rows all left is not
deleted: it keeps the aggregates' values after the undo (``COUNT`` 0, ``SUM`` 0, ``COLLECT_LIST``
``[]``), and ``HAVING`` may then drop it (ksqlDB's QTT ``count.json``: "should count back to zero").

The view over the table's current rows already retracts; what it lacks is those emptied groups.
They come from the table's history (every version its rows had): a group seen there but holding
no current row gets one row whose aggregates are their empty values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlglot import exp

__all__ = ["check_table_aggregates", "with_emptied_groups"]

_STREAM_ONLY = (
    "MIN",
    "MAX",
    "LATEST_BY_OFFSET",
    "EARLIEST_BY_OFFSET",
    "TOPK",
    "TOPKDISTINCT",
    "COUNT_DISTINCT",
)
"""Aggregates without an undo (not ksqlDB ``TableUdaf``s): a table's updates cannot retract them."""

_EMPTY = {
    "COUNT": "0",
    "COUNT_DISTINCT": "0",
    "SUM": "0",
    "SUM_LIST": "0",
    "AVG": "0.0",
    "STDDEV_SAMP": "0.0",
    "STDDEV_SAMPLE": "0.0",
    "CORRELATION": "'NaN'::DOUBLE",
    "COLLECT_LIST": "[]",
    "COLLECT_SET": "[]",
    "HISTOGRAM": "MAP {}",
}
"""Each undoable aggregate's value once every row it added was taken out again."""

_LIVE = "__live"


def check_table_aggregates(select: exp.Expr) -> None:
    """Reject aggregates a table cannot feed, with ksqlDB's message (SchemaKGroupedTable)."""
    from streamduck.errors import DefinitionError

    found: list[str] = []
    for clause in [*select.expressions, select.args.get("having")]:
        for node in clause.walk(bfs=False) if clause is not None else ():
            name = node.meta.get("ksql_aggregate")
            if name in _STREAM_ONLY and name not in found:
                found.append(str(name))
    if found:
        listed = found[0] if len(found) == 1 else f"{', '.join(found[:-1])} and {found[-1]}"
        raise DefinitionError(
            f"The aggregation function{'s' if len(found) > 1 else ''} {listed} cannot be applied to a "
            "table source, only to a stream source."
        )


def with_emptied_groups(select: exp.Expr, history: str) -> exp.Expr:
    """``select`` (a resolved GROUP BY over one table) plus a row per emptied group.

    ``history``: SELECT of every version of the table's rows, with the same columns as the table.
    Aggregate nodes carry their ksqlDB name in ``meta["ksql_aggregate"]``.
    """
    import sqlglot
    from sqlglot import exp

    from_ = select.args.get("from_") or select.args.get("from")
    assert from_ is not None and isinstance(from_.this, exp.Table), "one table source"
    table = from_.this
    alias = table.alias_or_name

    def over_live_row(node: exp.Expr) -> exp.Expr:
        return node.copy().transform(
            lambda n: (
                exp.column(n.this.copy(), table=_LIVE, quoted=True)
                if isinstance(n, exp.Column) and n.table == alias
                else n
            )
        )

    where = select.args.get("where")
    conditions = [over_live_row(where.this)] if where is not None else []
    conditions += [
        exp.EQ(this=over_live_row(g), expression=g.copy()) for g in select.args["group"].expressions
    ]
    live_table = table.copy()
    live_table.set("alias", exp.TableAlias(this=exp.to_identifier(_LIVE, quoted=True)))
    still_live = exp.select("1").from_(live_table).where(exp.and_(*conditions))

    emptied = select.copy()
    for node in list(emptied.walk()):
        name = node.meta.get("ksql_aggregate")
        if name and node.parent is not None:
            node.replace(sqlglot.parse_one(_EMPTY.get(str(name), "NULL"), read="duckdb"))
    emptied_from = emptied.args.get("from_") or emptied.args.get("from")
    assert emptied_from is not None, "a copy of a query with a FROM"
    versions = sqlglot.parse_one(history, read="duckdb")
    assert isinstance(versions, exp.Select)
    emptied_from.set("this", versions.subquery(exp.to_identifier(alias, quoted=True)))
    gone = exp.Not(this=exp.Exists(this=still_live))
    kept = emptied.args.get("where")
    emptied.set("where", exp.Where(this=exp.and_(kept.this, gone) if kept is not None else gone))
    return exp.union(select, emptied, distinct=False)
