"""Expression checks ksqlDB's type checker makes, with its wording, over sqlglot-annotated types.

ksqlDB coerces the literals of an ``IN`` list, a CASE's branches and an array constructor to one
type and rejects what does not coerce: a string literal must parse as the other side's type
(``invalid input syntax for type INTEGER: "x"``), other literals and expressions must be of a
compatible type (``operator does not exist: INTEGER = BOOLEAN (true)``). The string literals that do
parse are rewritten to typed literals, so DuckDB compares what ksqlDB compares.
"""

from __future__ import annotations

import decimal
from typing import TYPE_CHECKING

from streamduck.errors import DefinitionError

if TYPE_CHECKING:
    from sqlglot import exp

__all__ = ["check_expressions", "ksql_type_of"]

_INTEGERS = {"INT": "INTEGER", "BIGINT": "BIGINT", "SMALLINT": "INTEGER", "TINYINT": "INTEGER"}
_HINT = " Hint: You might need to add explicit type casts."
_BOOLEAN_TEXT = {
    "true": True,
    "t": True,
    "yes": True,
    "y": True,
    "false": False,
    "f": False,
    "no": False,
    "n": False,
}


def ksql_type_of(node: exp.Expr) -> str | None:
    """The ksqlDB name of a node's annotated type (``INTEGER``, ``STRING``, ``DECIMAL(4, 2)``)."""
    data_type = getattr(node, "type", None)
    if data_type is None:
        return None
    return _type_text(data_type)


def _type_text(data_type: exp.DataType) -> str | None:
    name = data_type.this.name
    if name in _INTEGERS:
        return _INTEGERS[name]
    if name in ("TEXT", "VARCHAR", "CHAR"):
        return "STRING"
    if name in ("DOUBLE", "FLOAT"):
        return "DOUBLE"
    if name == "DECIMAL":
        params = [p.name for p in data_type.expressions]
        return f"DECIMAL({', '.join(params)})" if params else "DECIMAL"
    if name in ("BOOLEAN", "DATE", "TIME", "TIMESTAMP"):
        return name
    if name in ("VARBINARY", "BLOB", "BINARY"):
        return "BYTES"
    if name == "ARRAY" and data_type.expressions:
        inner = _type_text(data_type.expressions[0])
        return f"ARRAY<{inner}>" if inner else None
    if name == "MAP" and len(data_type.expressions) == 2:
        key, value = (_type_text(t) for t in data_type.expressions)
        return f"MAP<{key}, {value}>" if key and value else "MAP"
    if name == "STRUCT":  # as ksqlDB prints it: STRUCT<`F0` STRING, `F1` INTEGER>
        fields = [(f.name, _type_text(f.args["kind"])) for f in data_type.expressions if f.args.get("kind")]
        if not fields or any(t is None for _, t in fields):
            return "STRUCT"
        return "STRUCT<" + ", ".join(f"`{n}` {t}" for n, t in fields) + ">"
    if name == "MAP":
        return name
    return None  # NULL, UNKNOWN: no type yet


def _category(type_text: str | None) -> str | None:
    if type_text is None:
        return None
    if type_text in ("INTEGER", "BIGINT", "DOUBLE") or type_text.startswith("DECIMAL"):
        return "numeric"
    if type_text == "STRING":
        return "string"
    if type_text == "BOOLEAN":
        return "boolean"
    return type_text.split("<")[0]


def check_expressions(select: exp.Expr) -> None:
    """Check (and coerce the literals of) every IN list, CASE and ARRAY constructor of ``select``.

    Raises:
        DefinitionError: with ksqlDB's message for the first expression it would reject.
    """
    from sqlglot import exp

    for node in list(select.walk()):
        if isinstance(node, exp.In) and node.expressions:
            _check_in(node)
        elif isinstance(node, exp.Case):
            _check_case(node)
        elif isinstance(node, exp.Array):
            _check_array(node)
        elif isinstance(node, exp.TryCast) and node.meta.get("ksql_cast"):
            _check_cast(node)


def _shown(node: exp.Expr) -> str:
    from sqlglot import exp

    if isinstance(node, exp.Column):
        return node.name.upper()
    if isinstance(node, exp.Boolean):
        return "true" if node.this else "false"
    return node.sql("duckdb")


def _check_in(node: exp.In) -> None:
    from sqlglot import exp

    target = ksql_type_of(node.this)
    category = _category(target)
    if target is None or category not in ("numeric", "string", "boolean"):
        return
    for value in list(node.expressions):
        if isinstance(value, exp.Null):
            continue
        coerced = _coerce(value, target, category, "Invalid Predicate: ")
        if coerced is not None:
            value.replace(coerced)
            continue
        value_type = ksql_type_of(value)
        if value_type is not None and _category(value_type) != category:
            hint = _HINT if category == "boolean" else ""
            raise DefinitionError(
                f"Invalid Predicate: operator does not exist: {target} = {value_type} ({_shown(value)}){hint}"
            )


def _coerce(value: exp.Expr, target: str, category: str, prefix: str) -> exp.Expr | None:
    """A typed literal for a literal ``value`` of another category, or None (not a literal to coerce).

    Raises:
        DefinitionError: a string literal that does not parse as ``target``.
    """
    from sqlglot import exp

    is_string = isinstance(value, exp.Literal) and value.is_string
    if category == "string":
        if isinstance(value, exp.Literal) and not value.is_string:
            return exp.Literal.string(value.this)
        if isinstance(value, exp.Boolean):
            return exp.Literal.string("true" if value.this else "false")
        return None
    if not is_string:
        return None
    text = value.this.strip()
    if category == "boolean":
        parsed = _parse_boolean(text)
        if parsed is None:
            raise DefinitionError(f'{prefix}invalid input syntax for type BOOLEAN: "{value.this}".')
        return exp.Boolean(this=parsed)
    try:
        number = decimal.Decimal(text)
        if target in ("INTEGER", "BIGINT") and number != number.to_integral_value():
            raise decimal.InvalidOperation
    except decimal.InvalidOperation:
        raise DefinitionError(
            f'{prefix}invalid input syntax for type {target.split("(")[0]}: "{value.this}".'
        ) from None
    return exp.Literal.number(text)


def _parse_boolean(text: str) -> bool | None:
    """ksqlDB reads a string as a BOOLEAN when it is a prefix of true/false/yes/no (any case)."""
    lowered = text.lower()
    if not lowered:
        return None
    for word, meaning in (("true", True), ("false", False), ("yes", True), ("no", False)):
        if word.startswith(lowered):
            return meaning
    return _BOOLEAN_TEXT.get(lowered)


_CASTABLE = {
    "numeric": {"numeric", "string", "boolean"},
    "string": {"numeric", "string", "boolean", "DATE", "TIME", "TIMESTAMP", "BYTES"},
    "boolean": {"numeric", "string", "boolean"},
    "DATE": {"string", "DATE", "TIMESTAMP"},
    "TIME": {"string", "TIME"},
    "TIMESTAMP": {"string", "DATE", "TIME", "TIMESTAMP"},
    "BYTES": {"string", "BYTES"},
}


def _check_cast(node: exp.Expr) -> None:
    """ksqlDB casts between scalars (and containers to themselves); DuckDB would also cast others."""
    source, target = ksql_type_of(node.this), _type_text(node.args["to"])
    if source is None or target is None:
        return
    source_category, target_category = _category(source), _category(target)
    if target_category == "string":  # anything has a text form (Java's toString)
        allowed = True
    elif source_category in ("ARRAY", "MAP", "STRUCT") or target_category in ("ARRAY", "MAP", "STRUCT"):
        allowed = source_category == target_category
    else:
        allowed = target_category in _CASTABLE.get(source_category or "", {target_category})
    if not allowed:
        raise DefinitionError(f"{_clause_prefix(node)}Cast of {source} to {target} is not supported")


def _clause_prefix(node: exp.Expr) -> str:
    """ksqlDB names the clause an expression failed in: ``Invalid Select: `` for the projection,
    ``Invalid Predicate: `` for WHERE."""
    from sqlglot import exp

    while node.parent is not None and not isinstance(node.parent, exp.Select):
        node = node.parent
    return {"expressions": "Invalid Select: ", "where": "Invalid Predicate: "}.get(node.arg_key or "", "")


def _check_case(node: exp.Case) -> None:
    from sqlglot import exp

    branches = [i.args.get("true") for i in node.args.get("ifs") or []]
    default = node.args.get("default")
    results = [b for b in [*branches, default] if b is not None]
    typed = [b for b in results if not isinstance(b, exp.Null)]
    if results and not typed:
        raise DefinitionError("Invalid Case expression. All case branches have NULL type")
    first = next((t for t in (ksql_type_of(b) for b in typed) if t), None)
    for result in typed:
        result_type = ksql_type_of(result)
        if first is None or result_type is None or _category(result_type) == _category(first):
            continue
        if result is default:
            raise DefinitionError(
                "Invalid Case expression. Type for the default clause should be the same as for 'THEN' "
                f"clauses. THEN type: {first}. DEFAULT type: {result_type}."
            )
        raise DefinitionError(
            "Invalid Case expression. Type for all 'THEN' clauses should be the same. "
            f"THEN expression '{result.sql('duckdb')}' has type: {result_type}. "
            f"Previous THEN expression(s) type: {first}."
        )


def _check_array(node: exp.Array) -> None:
    from sqlglot import exp

    values = list(node.expressions)
    if not values:
        raise DefinitionError(
            "Array constructor cannot be empty. Please supply at least one element "
            "(see https://github.com/confluentinc/ksql/issues/4239)."
        )
    typed = [v for v in values if not isinstance(v, exp.Null)]
    if not typed:
        raise DefinitionError(
            "Cannot construct an array with all NULL elements (see https://github.com/confluentinc/ksql/issues/4239). "
            "As a workaround, you may cast a NULL value to the desired type."
        )
    non_strings = [v for v in typed if not (isinstance(v, exp.Literal) and v.is_string)]
    target = next((t for t in (ksql_type_of(v) for v in non_strings) if t), None)
    if target is None:
        return
    category = _category(target)
    for value in typed:
        coerced = _coerce(value, target, category, "") if category in ("numeric", "boolean") else None
        if coerced is not None:
            value.replace(coerced)
            continue
        value_type = ksql_type_of(value)
        if value_type is not None and _category(value_type) != category:
            types = ", ".join(t or "NULL" for t in (ksql_type_of(v) for v in typed))
            raise DefinitionError(
                f"Cannot construct an array with mismatching types ([{types}]) from expression {node.sql('duckdb')}."
            )
