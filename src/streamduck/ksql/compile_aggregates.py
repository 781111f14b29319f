"""ksqlDB's aggregate functions as DuckDB aggregates.

"By offset" means the order a single consumer would have read the rows in: ROWTIME, then partition,
then offset (offsets are only ordered within a partition). Like ksqlDB, the collecting aggregates
skip nulls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamduck.ksql.compile_functions import Builder, call, renamed, sql_expr, template

if TYPE_CHECKING:
    from sqlglot import exp

__all__ = ["AGGREGATES"]


def _latest(direction: str) -> Builder:
    # ksqlDB ignores nulls by default and orders by offset; across partitions we order by
    # (ROWTIME, ROWPARTITION, ROWOFFSET), the order a single consumer would have seen them in.
    def build(args: list[exp.Expr]) -> exp.Expr:
        ignore_nulls = len(args) < 3 or args[-1].sql().upper() != "FALSE"
        where = " FILTER (WHERE {0} IS NOT NULL)" if ignore_nulls else ""
        agg = "last" if direction == "LATEST" else "first"
        if len(args) >= 2 and args[1].sql().upper() not in ("TRUE", "FALSE"):
            order = "DESC" if direction == "LATEST" else "ASC"
            return sql_expr(
                f"(list({{0}} ORDER BY ROWTIME {order}, ROWPARTITION {order}, ROWOFFSET {order}){where})[1:{{1}}]",
                args[0],
                args[1],
            )
        return sql_expr(f"{agg}({{0}} ORDER BY ROWTIME, ROWPARTITION, ROWOFFSET){where}", args[0])

    return build


AGGREGATES: dict[str, Builder] = {
    "COUNT": lambda args: call("count", *args),
    "COUNT_DISTINCT": template("count(DISTINCT {0})"),
    "SUM": renamed("sum"),
    "AVG": renamed("avg"),
    "MIN": renamed("min"),
    "MAX": renamed("max"),
    "STDDEV_SAMPLE": renamed("stddev_samp"),
    "STDDEV_SAMP": renamed("stddev_samp"),
    "CORRELATION": renamed("corr"),
    "LATEST_BY_OFFSET": _latest("LATEST"),
    "EARLIEST_BY_OFFSET": _latest("EARLIEST"),
    "COLLECT_LIST": template(
        "list({0} ORDER BY ROWTIME, ROWPARTITION, ROWOFFSET) FILTER (WHERE {0} IS NOT NULL)"
    ),
    "COLLECT_SET": template("list(DISTINCT {0}) FILTER (WHERE {0} IS NOT NULL)"),
    "TOPK": template("(list({0} ORDER BY {0} DESC) FILTER (WHERE {0} IS NOT NULL))[1:{1}]"),
    "HISTOGRAM": template("histogram(CAST({0} AS VARCHAR)) FILTER (WHERE {0} IS NOT NULL)"),
    # the one value every row holds (NULL counts as a value), else NULL
    "ATTR": template("CASE WHEN count(DISTINCT {0}) = 1 AND count({0}) = count(*) THEN any_value({0}) END"),
    "TOPKDISTINCT": template("(list(DISTINCT {0} ORDER BY {0} DESC) FILTER (WHERE {0} IS NOT NULL))[1:{1}]"),
}
