"""Operators whose DuckDB meaning differs from ksqlDB's, rewritten once sqlglot knows the types.

* ``INT / INT`` is integer division in ksqlDB (Java truncates towards zero, like DuckDB's ``//``);
  DuckDB's ``/`` would return a DOUBLE. Division by zero gives NULL.
* ``STRING + STRING`` concatenates in ksqlDB; DuckDB needs ``||``.
* ``CAST(2.7 AS INT)`` is 2 in ksqlDB (Java narrowing truncates); DuckDB would round to 3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlglot import exp

__all__ = ["check_types", "explain_duckdb_error", "ksql_operator"]

_INTEGER_TYPES = {"INT", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT", "UINT", "UBIGINT"}
_INEXACT_TYPES = {"DOUBLE", "FLOAT", "DECIMAL"}


def _type_name(node: exp.Expr) -> str:
    data_type = getattr(node, "type", None)
    return data_type.this.name if data_type is not None else "UNKNOWN"


def ksql_operator(node: exp.Expr) -> exp.Expr:
    """Rewrite an operator whose DuckDB meaning differs from ksqlDB's (types known)."""
    from sqlglot import exp

    from streamduck.ksql.compile_functions import retype

    retyped = retype(node)
    if retyped is not node:
        return retyped
    if isinstance(node, exp.Div) and _both(node, _INTEGER_TYPES):
        # Java integer division truncates towards zero, as DuckDB's // does; x / 0 is NULL.
        divisor = exp.Nullif(this=node.expression.copy(), expression=exp.Literal.number(0))
        return exp.IntDiv(this=node.this.copy(), expression=divisor)
    if isinstance(node, exp.Add) and "string" in (_category(node.this), _category(node.expression)):
        return exp.DPipe(this=node.this.copy(), expression=node.expression.copy(), safe=True)
    comparisons = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
    if isinstance(node, comparisons) and not _null_means_false_here(node):
        # ksqlDB's generated Java compares as `(l == null || r == null) ? false : l op r`: a
        # comparison with a NULL operand is false, not NULL (`NOT (a = b)` is then true).
        return exp.Coalesce(this=node.copy(), expressions=[exp.false()])
    narrowing = (
        isinstance(node, exp.TryCast)
        and node.meta.get("ksql_cast")
        and node.to.this.name in _INTEGER_TYPES
        and _type_name(node.this) in _INEXACT_TYPES
    )
    if narrowing:
        # Java narrows by truncation (2.7 -> 2); DuckDB would round.
        return exp.TryCast(
            this=exp.Anonymous(this="trunc", expressions=[node.this.copy()]), to=node.args["to"].copy()
        )
    return node


def _null_means_false_here(node: exp.Expr) -> bool:
    """True where NULL already acts as false: a join condition, or a conjunct of WHERE/HAVING.

    Left as is there, so DuckDB keeps its hash joins and filter pushdown.
    """
    from sqlglot import exp

    if node.find_ancestor(exp.Join) is not None:
        return True
    parent = node.parent
    while isinstance(parent, (exp.And, exp.Paren)):
        parent = parent.parent
    return isinstance(parent, (exp.Where, exp.Having))


def _both(node: exp.Expr, types: set[str]) -> bool:
    return _type_name(node.this) in types and _type_name(node.expression) in types


_NUMERIC = _INTEGER_TYPES | _INEXACT_TYPES
_STRING = {"TEXT", "VARCHAR"}


def _category(node: exp.Expr) -> str | None:
    name = _type_name(node)
    if name in _NUMERIC:
        return "numeric"
    if name in _STRING:
        return "string"
    if name == "BOOLEAN":
        return "boolean"
    return None  # unknown, NULL, temporal or nested: DuckDB's binder decides


_KSQL_TYPE_NAMES = {"TEXT": "STRING", "VARCHAR": "STRING", "INT": "INTEGER"}


def _check_join_types(node: exp.EQ) -> None:
    """A join's ``a = b`` must compare one type (ksqlDB does not widen INT to BIGINT there)."""
    from sqlglot import exp

    from streamduck.errors import DefinitionError

    if not (isinstance(node.this, exp.Column) and isinstance(node.expression, exp.Column)):
        return
    names = [_type_name(node.this), _type_name(node.expression)]
    if any(n in (None, "UNKNOWN", "NULL") for n in names) or None in (
        _category(node.this),
        _category(node.expression),
    ):
        return
    left, right = (_KSQL_TYPE_NAMES.get(str(n), str(n)) for n in names)
    if left != right:
        shown = [f"{c.table.upper()}.{c.name.upper()}" for c in (node.this, node.expression)]
        raise DefinitionError(
            f"Invalid join condition: types don't match. Got {shown[0]}{{{left}}} = {shown[1]}{{{right}}}."
        )


def _shown(node: exp.Expr) -> str:
    """``AGE (INTEGER)``: the expression as the user wrote the names, with its ksqlDB type."""
    from sqlglot import exp

    bare = node.copy().transform(lambda n: exp.column(n.name.upper()) if isinstance(n, exp.Column) else n)
    type_name = _type_name(node)
    return f"{bare.sql('duckdb')} ({_KSQL_TYPE_NAMES.get(type_name, type_name)})"


def explain_duckdb_error(message: str) -> str:
    """DuckDB binder messages that have a ksqlDB wording, reworded; others unchanged."""
    import re

    marker = "must appear in the GROUP BY clause"
    if marker in message and '"' in message:
        column = message.split('"')[1]
        return f"Non-aggregate SELECT expression(s) not part of GROUP BY: {column.upper()}"
    no_match = re.search(r"No function matches the given name and argument types '(\w+)\((.*?)\)'", message)
    if no_match:
        name, types = no_match.groups()
        shown = ", ".join(_ksql_type_text(t.strip()) for t in types.split(",") if t.strip())
        return f"Function '{name}' does not accept parameters ({shown})."
    return message


def _ksql_type_text(duckdb_type: str) -> str:
    """A DuckDB type in a binder message as ksqlDB names it (``INTEGER_LITERAL`` is ``INTEGER``)."""
    base = duckdb_type.removesuffix("_LITERAL").upper()
    return {"VARCHAR": "STRING", "BLOB": "BYTES", "INT": "INTEGER"}.get(base, base)


def check_types(select: exp.Expr) -> None:
    """Reject what ksqlDB's type checker rejects, with its wording (types annotated by sqlglot).

    Raises:
        DefinitionError: arithmetic on a string, a string compared to a number, a non-boolean WHERE.
    """
    from sqlglot import exp

    from streamduck.errors import DefinitionError

    for node in select.walk():
        if isinstance(node, (exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Add)) and not isinstance(
            node, exp.DPipe
        ):
            sides = {_category(node.this), _category(node.expression)}
            if "string" in sides and sides & {"numeric", "boolean"}:
                raise DefinitionError(
                    f"Error processing expression: Unsupported arithmetic types. "
                    f"{_shown(node.this)} {node.key.upper()} {_shown(node.expression)}"
                )
        if isinstance(node, exp.EQ) and node.find_ancestor(exp.Join) is not None:
            _check_join_types(node)
        if isinstance(node, (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)):
            sides = {_category(node.this), _category(node.expression)}
            if sides == {"string", "numeric"}:
                raise DefinitionError(f"Cannot compare {_shown(node.this)} to {_shown(node.expression)}")
    where = select.args.get("where")
    if where is not None and _category(where.this) not in (None, "boolean"):
        raise DefinitionError(
            f"Type error in WHERE expression: Should evaluate to boolean but is {_shown(where.this)} instead."
        )
