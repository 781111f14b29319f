"""ksqlDB's aggregate analysis: which SELECT and HAVING expressions an aggregation may hold.

ksqlDB checks these on the statement as written, before it plans the query, so they come before
any other message about the key (``must include the grouping expression ...``). Expressions are
compared regardless of qualifiers and case, and printed as ksqlDB prints them in its messages
(upper-case names, arithmetic in parentheses).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamduck.errors import DefinitionError
from streamduck.ksql.names import WINDOW_BOUNDS, ksql_name

if TYPE_CHECKING:
    from sqlglot import exp

__all__ = ["check_aggregation", "check_grouping_syntax", "message_text"]

# Aggregates ksqlDB cannot undo, so a table (whose rows are replaced and deleted) cannot feed them.
_STREAM_ONLY = (
    "MIN",
    "MAX",
    "TOPK",
    "TOPKDISTINCT",
    "LATEST_BY_OFFSET",
    "EARLIEST_BY_OFFSET",
    "COUNT_DISTINCT",
)


def check_aggregation(select: exp.Expr, aggregates: set[str], statement: str) -> None:
    """Reject what ksqlDB's analyzer rejects in a GROUP BY query (or one calling aggregates).

    ``aggregates`` are the aggregate function names; ``statement`` names the statement kind for
    messages (``CREATE TABLE AS SELECT``).
    """
    from sqlglot import exp

    from streamduck.ksql.compile_query import _key_text

    group = select.args.get("group")
    grouping = list(group.expressions) if group is not None else []
    check_grouping_syntax(grouping)
    if group is not None and len(grouping) == 1 and isinstance(grouping[0], exp.Tuple):
        grouping = list(grouping[0].expressions)  # GROUP BY (a, b) is GROUP BY a, b
        group.set("expressions", grouping)
    having = select.args.get("having")
    where = select.args.get("where")
    if where is not None and _aggregate_calls(where.this, aggregates):
        raise DefinitionError("Aggregate functions are not allowed in WHERE (use HAVING)")
    projections = [p.unalias() if p.key == "alias" else p for p in select.expressions]
    calls = [
        c for p in [*projections, *([having.this] if having else [])] for c in _aggregate_calls(p, aggregates)
    ]
    if not grouping and not calls:
        return
    for expression in grouping:
        inner = next(iter(_aggregate_calls(expression, aggregates)), None)
        if inner is not None:
            raise DefinitionError(
                f"GROUP BY does not support aggregate functions: {inner.name.upper()} is an aggregate function."
            )
    seen: set[str] = set()
    for expression in grouping:
        text = _key_text(expression)
        if text in seen:
            raise DefinitionError(f"Duplicate GROUP BY expression: {_qualified_text(select, expression)}")
        seen.add(text)
    for call in calls:
        if any(_aggregate_calls(arg, aggregates) for arg in call.expressions):
            raise DefinitionError(f"Aggregate functions can not be nested: {message_text(call)}")
    if grouping and not calls:
        raise DefinitionError("GROUP BY requires aggregate functions in either the SELECT or HAVING clause.")
    loose = [p for p in projections if _uncovered_columns(p, seen, aggregates)]
    if loose:
        raise DefinitionError(
            "Non-aggregate SELECT expression(s) not part of GROUP BY: "
            f"{', '.join(message_text(p) for p in loose)} "
            "Either add the column(s) to the GROUP BY or remove them from the SELECT."
        )
    if having is not None:
        columns = _uncovered_columns(having.this, seen, aggregates)
        if columns:
            names = ", ".join(dict.fromkeys(ksql_name(c.this).upper() for c in columns))
            raise DefinitionError(f"Non-aggregate HAVING expression not part of GROUP BY: {names}")
    if not grouping:
        shown = ", ".join(message_text(c).replace("COUNT(*)", "COUNT(ROWTIME)") for c in calls)
        raise DefinitionError(
            f"{statement} statement does not support aggregate function [{shown}] without a GROUP BY clause."
        )


def check_grouping_syntax(grouping: list[exp.Expr]) -> None:
    """What ksqlDB's grammar has no rule for: a parenthesised list among other GROUP BY items, and
    a boolean expression (``GROUP BY a AND b``)."""
    from sqlglot import exp

    for expression in grouping:
        if isinstance(expression, exp.Tuple) and len(grouping) > 1:
            raise DefinitionError("Syntax Error: missing ')' at ','")
        if isinstance(expression, exp.Connector):
            raise DefinitionError(
                f"Syntax Error: mismatched input '{expression.key.upper()}' expecting {{';', ...}}"
            )


def _aggregate_calls(node: exp.Expr, aggregates: set[str]) -> list[exp.Expr]:
    """The outermost aggregate calls within ``node`` (itself included)."""
    from sqlglot import exp

    found: list[exp.Expr] = []
    for n in node.walk(bfs=False):
        is_call = isinstance(n, exp.Anonymous) and n.name.upper() in aggregates
        if is_call and not any(_inside(n, f) for f in found):
            found.append(n)
    return found


def _inside(node: exp.Expr, ancestor: exp.Expr) -> bool:
    parent = node.parent
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.parent
    return False


def _uncovered_columns(node: exp.Expr, grouped: set[str], aggregates: set[str]) -> list[exp.Expr]:
    """Columns of ``node`` neither inside an aggregate call nor inside a grouped expression."""
    from sqlglot import exp

    from streamduck.ksql.compile_query import _key_text

    lambda_params = {ksql_name(p).upper() for lam in node.find_all(exp.Lambda) for p in lam.expressions}
    out: list[exp.Expr] = []

    def visit(n: exp.Expr) -> None:
        if _key_text(n) in grouped:
            return
        if isinstance(n, exp.Anonymous) and n.name.upper() in aggregates:
            return
        if isinstance(n, exp.Column):
            name = ksql_name(n.this).upper()
            if name not in lambda_params and name not in WINDOW_BOUNDS and not isinstance(n.this, exp.Star):
                out.append(n)
            return
        for child in n.iter_expressions():
            visit(child)

    visit(node)
    return out


def message_text(node: exp.Expr) -> str:
    """An expression as ksqlDB prints it in messages: ``(F1 + F2)``, ``SUBSTRING(SOURCE, 0, 1)``."""
    from sqlglot import exp

    from streamduck.ksql.compile_query import _ksql_text

    def upper(n: exp.Expr) -> exp.Expr:
        if isinstance(n, exp.Column) and not isinstance(n.this, exp.Star):
            return exp.column(ksql_name(n.this).upper())
        return n

    def parenthesize(n: exp.Expr) -> exp.Expr:
        if isinstance(n, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)) and not isinstance(
            n.parent, exp.Paren
        ):
            return exp.Paren(this=n.copy())
        return n

    return _ksql_text(node.copy().transform(upper).transform(parenthesize))


def _qualified_text(select: exp.Expr, node: exp.Expr) -> str:
    """``TEST.DATA``: columns under the name of the query's source, as ksqlDB resolves them."""
    from sqlglot import exp

    from streamduck.ksql.compile_query import _ksql_text

    from_ = select.args.get("from_") or select.args["from"]
    source = ksql_name(from_.this.this).upper()

    def qualify(n: exp.Expr) -> exp.Expr:
        if isinstance(n, exp.Column):
            return exp.column(ksql_name(n.this).upper(), table=source)
        return n

    return _ksql_text(node.copy().transform(qualify)).replace("`", "")
