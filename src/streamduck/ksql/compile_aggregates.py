"""ksqlDB's aggregate functions as DuckDB aggregates.

"By offset" means the order a single consumer would have read the rows in: ROWTIME, then partition,
then offset (offsets are only ordered within a partition). As in ksqlDB's UDAFs, COLLECT_LIST and
COLLECT_SET keep NULL values (their aggregate methods add whatever they are given), while TOPK,
LATEST_BY_OFFSET and EARLIEST_BY_OFFSET (by default) skip them.
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


_BY_OFFSET = "ORDER BY ROWTIME, ROWPARTITION, ROWOFFSET"


def _collect_map(args: list[exp.Expr]) -> exp.Expr:
    from streamduck.ksql.compile_functions import last_wins, parse_sql

    entries = (
        f"flatten(list(list_transform(map_entries({args[0].sql('duckdb')}), "
        f"lambda __e: {{'k': __e.key, 'v': __e.value}}) {_BY_OFFSET}))"
    )
    return parse_sql(
        f"map_from_entries(list_transform({last_wins(entries)}, lambda __e: {{'key': __e.k, 'value': __e.v}}))"
    )


def _correlation(args: list[exp.Expr]) -> exp.Expr:
    from streamduck.ksql.compile_functions import parse_sql

    x, y = (f"CAST({a.sql('duckdb')} AS DOUBLE)" for a in args)
    both = f"FILTER (WHERE {x} IS NOT NULL AND {y} IS NOT NULL)"

    def total(e: str) -> str:
        return f"coalesce(sum({e}) {both}, 0.0)"

    n = f"CAST(count(*) {both} AS DOUBLE)"
    numerator = f"({n} * {total(f'{x} * {y}')} - {total(x)} * {total(y)})"
    var_x = f"({n} * {total(f'{x} * {x}')} - {total(x)} * {total(x)})"
    var_y = f"({n} * {total(f'{y} * {y}')} - {total(y)} * {total(y)})"
    denominator = f"sqrt({var_x} * {var_y})"
    return parse_sql(f"CASE WHEN {denominator} = 0 THEN 'NaN'::DOUBLE ELSE {numerator} / {denominator} END")


AGGREGATES: dict[str, Builder] = {
    "COUNT": lambda args: call("count", *args),
    "COUNT_DISTINCT": template("count(DISTINCT {0})"),
    # SumKudaf starts at 0 and skips NULLs: a group of only NULLs sums to 0, not NULL
    "SUM": template("coalesce(sum({0}), 0)"),
    # AverageUdaf maps an empty (or all-NULL) group to 0.0
    "AVG": template("coalesce(CAST(avg({0}) AS DOUBLE), 0.0)"),
    "MIN": renamed("min"),
    "MAX": renamed("max"),
    # StandardDeviationSampUdaf maps M2 / (count - 1), the sample variance (no square root), and
    # 0.0 below two values: ksqlDB's results, which we reproduce
    "STDDEV_SAMPLE": template("CASE WHEN count({0}) < 2 THEN 0.0 ELSE var_samp({0}) END"),
    "STDDEV_SAMP": template("CASE WHEN count({0}) < 2 THEN 0.0 ELSE var_samp({0}) END"),
    # CorrelationUdaf's single-pass formula over the rows where both are set: NaN, not NULL, when
    # it is undefined
    "CORRELATION": lambda args: _correlation(args),
    "LATEST_BY_OFFSET": _latest("LATEST"),
    "EARLIEST_BY_OFFSET": _latest("EARLIEST"),
    "COLLECT_LIST": template(f"list({{0}} {_BY_OFFSET})"),
    # a List that adds a value it does not hold yet: first occurrences, in offset order
    "COLLECT_SET": template(
        f"list_filter(list({{0}} {_BY_OFFSET}), lambda __v, __i: "
        f"list_position(list({{0}} {_BY_OFFSET}), __v) = __i)"
    ),
    # sums every element of every row's list (NULL lists and elements count as nothing)
    "SUM_LIST": template("coalesce(sum(list_sum({0})), 0)"),
    # every row's map merged into one, a later row's value winning
    "COLLECT_MAP": lambda args: _collect_map(args),
    "TOPK": template("(list({0} ORDER BY {0} DESC) FILTER (WHERE {0} IS NOT NULL))[1:{1}]"),
    "HISTOGRAM": template("histogram(CAST({0} AS VARCHAR)) FILTER (WHERE {0} IS NOT NULL)"),
    # the one value every row holds (NULL counts as a value), else NULL
    "ATTR": template("CASE WHEN count(DISTINCT {0}) = 1 AND count({0}) = count(*) THEN any_value({0}) END"),
    "TOPKDISTINCT": template("(list(DISTINCT {0} ORDER BY {0} DESC) FILTER (WHERE {0} IS NOT NULL))[1:{1}]"),
}
