"""ksqlDB's scalar and table functions, each rewritten as DuckDB SQL with ksqlDB's semantics.

Every entry maps a ksqlDB function name to a builder taking the (already translated) arguments.
Where DuckDB's namesake differs (argument order, 0- vs 1-based positions, null handling, Java date
patterns), the builder says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlglot import exp

__all__ = ["SCALARS", "TABLE_FUNCTIONS", "java_format"]

Builder = Callable[[list["exp.Expr"]], "exp.Expr"]


def call(name: str, *args: exp.Expr) -> exp.Expr:
    """``name(args...)`` as a DuckDB function call."""
    from sqlglot import exp

    return exp.Anonymous(this=name, expressions=list(args))


def sql_expr(text: str, *args: exp.Expr) -> exp.Expr:
    """A DuckDB expression from text with ``{0}``, ``{1}`` placeholders for the arguments' SQL.

    The text is parsed back by sqlglot, so a builder can never emit SQL that does not parse.
    """
    import sqlglot

    return sqlglot.parse_one(text.format(*(a.sql("duckdb") for a in args)), read="duckdb")


def renamed(name: str) -> Builder:
    """The builder of a function DuckDB has under another name, same arguments."""
    return lambda args: call(name, *args)


def template(text: str) -> Builder:
    """The builder filling ``text``'s placeholders (see :func:`sql_expr`)."""
    return lambda args: sql_expr(text, *args)


def _literal_text(node: exp.Expr, what: str) -> str:
    from sqlglot import exp

    from streamduck.errors import DefinitionError

    if not isinstance(node, exp.Literal) or not node.is_string:
        raise DefinitionError(f"{what} must be a string literal")
    return node.this


_JAVA_PATTERNS = {
    "yyyy": "%Y",
    "yy": "%y",
    "MMMM": "%B",
    "MMM": "%b",
    "MM": "%m",
    "dd": "%d",
    "d": "%-d",
    "HH": "%H",
    "H": "%-H",
    "hh": "%I",
    "mm": "%M",
    "ss": "%S",
    "SSSSSS": "%f",
    "SSS": "%g",
    "a": "%p",
    "EEEE": "%A",
    "EEE": "%a",
    "D": "%j",
    "XXX": "%z",
    "X": "%z",
    "Z": "%z",
    "z": "%Z",
    "'T'": "T",
    "'Z'": "Z",
}


def java_format(pattern: str) -> str:
    """A Java ``DateTimeFormatter`` pattern (``yyyy-MM-dd HH:mm:ss.SSS``) as DuckDB strftime codes."""
    from sqlglot.time import format_time
    from sqlglot.trie import new_trie

    return format_time(pattern, _JAVA_PATTERNS, new_trie(_JAVA_PATTERNS)) or ""


def _format_builder(kind: str) -> Builder:
    def build(args: list[exp.Expr]) -> exp.Expr:
        from sqlglot import exp

        fmt = exp.Literal.string(java_format(_literal_text(args[1], f"the format of {kind}")))
        templates = {
            "TIMESTAMPTOSTRING": "strftime(make_timestamp(CAST({0} AS BIGINT) * 1000), {1})",
            "STRINGTOTIMESTAMP": "epoch_ms(try_strptime({0}, {1}))",
            "FORMAT_TIMESTAMP": "strftime({0}, {1})",
            "PARSE_TIMESTAMP": "CAST(try_strptime({0}, {1}) AS TIMESTAMP)",
            "FORMAT_DATE": "strftime({0}, {1})",
            "PARSE_DATE": "CAST(try_strptime({0}, {1}) AS DATE)",
            "FORMAT_TIME": "strftime(DATE '1970-01-01' + {0}, {1})",
            "PARSE_TIME": "CAST(try_strptime({0}, {1}) AS TIME)",
        }
        return sql_expr(templates[kind], args[0], fmt)

    return build


def _rest(args: list[exp.Expr]) -> str:
    """Placeholders ``{1}, {2}, ...`` for every argument after the first."""
    return ", ".join(f"{{{i}}}" for i in range(1, len(args)))


def _unit(node: exp.Expr) -> str:
    return node.name.upper().rstrip("S")


def _timestamp_add(sign: str) -> Builder:
    def build(args: list[exp.Expr]) -> exp.Expr:
        from sqlglot import exp

        unit = exp.var(_unit(args[0]))
        return sql_expr(f"{{1}} {sign} to_{unit.name.lower()}s(CAST({{0}} AS BIGINT))", args[1], args[2])

    return build


def _date_add(sign: str) -> Builder:
    def build(args: list[exp.Expr]) -> exp.Expr:
        unit = _unit(args[0])
        return sql_expr(
            f"CAST({{1}} {sign} to_{unit.lower()}s(CAST({{0}} AS BIGINT)) AS DATE)", args[1], args[2]
        )

    return build


_DISTINCT = "list_filter({0}, lambda v, i: list_position({0}, v) = i)"


def _arity(node: exp.Expr) -> int:
    from sqlglot import exp

    return len(node.expressions) if isinstance(node, exp.Lambda) else 0


def _lambda_body(fn: exp.Expr, replacements: dict[str, str]) -> str:
    """A lambda's body with its parameters replaced by DuckDB expressions (by position)."""
    import sqlglot
    from sqlglot import exp

    names = dict(zip((p.name for p in fn.expressions), replacements.values(), strict=False))

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, (exp.Identifier, exp.Column)) and node.name in names:
            return sqlglot.parse_one(names[node.name], read="duckdb")
        return node

    return fn.this.copy().transform(swap).sql("duckdb")


def _entry_body(fn: exp.Expr, entry: str) -> str:
    """A lambda over a map's ``(key, value)`` rewritten over a ``map_entries`` element."""
    return _lambda_body(fn, {"key": f"{entry}.key", "value": f"{entry}.value"})


def _fold(items: exp.Expr, initial: exp.Expr, fn: exp.Expr, element: list[str]) -> exp.Expr:
    """ksqlDB's REDUCE: a left fold whose state may have another type than the elements.

    DuckDB's ``list_reduce`` wants the initial value to share the elements' type, so every element is
    carried in a struct beside a state slot of the initial value's type: the fold runs over structs, and
    an empty list folds to the initial value.
    """
    body = _lambda_body(fn, {"state": "__a.s", **{f"e{i}": f"__e.x{part}" for i, part in enumerate(element)}})
    return sql_expr(
        "list_reduce(list_prepend({{'s': {1}, 'x': NULL}}, list_transform({0}, lambda __x: {{'s': {1}, 'x': __x}})),"
        f" lambda __a, __e: {{{{'s': {body}, 'x': NULL}}}}).s",
        items,
        initial,
    )


def _map_transform(args: list[exp.Expr]) -> exp.Expr:
    key, value = _entry_body(args[1], "__e"), _entry_body(args[2], "__e")
    return sql_expr(
        f"map_from_entries(list_transform(map_entries({{0}}), lambda __e: {{{{'key': {key}, 'value': {value}}}}}))",
        args[0],
    )


def _map_filter(args: list[exp.Expr]) -> exp.Expr:
    keep = _entry_body(args[1], "__e")
    return sql_expr(f"map_from_entries(list_filter(map_entries({{0}}), lambda __e: {keep}))", args[0])


def _map_reduce(args: list[exp.Expr]) -> exp.Expr:
    return _fold(sql_expr("map_entries({0})", args[0]), args[1], args[2], [".key", ".value"])


SCALARS: dict[str, Builder] = {
    # strings (positions are 1-based in both)
    "LEN": renamed("length"),
    "LENGTH": renamed("length"),
    "UCASE": renamed("upper"),
    "LCASE": renamed("lower"),
    "UPPER": renamed("upper"),
    "LOWER": renamed("lower"),
    "TRIM": renamed("trim"),
    "LTRIM": renamed("ltrim"),
    "RTRIM": renamed("rtrim"),
    # variadic, and like ksqlDB it skips NULL arguments rather than returning NULL
    "CONCAT": renamed("concat"),
    "CONCAT_WS": lambda args: call("concat_ws", *args),
    "REPLACE": renamed("replace"),
    "SUBSTRING": lambda args: call("substring", *args),
    "INSTR": template("instr({0}, {1})"),
    "LPAD": template("CASE WHEN {2} = '' THEN NULL ELSE lpad({0}, {1}, {2}) END"),
    "RPAD": template("CASE WHEN {2} = '' THEN NULL ELSE rpad({0}, {1}, {2}) END"),
    "INITCAP": template(
        "array_to_string(list_transform(string_split({0}, ' '), lambda w: upper(w[1]) || lower(w[2:])), ' ')"
    ),
    "SPLIT": template("CASE WHEN {1} = '' THEN string_split({0}, '') ELSE string_split({0}, {1}) END"),
    "SPLIT_TO_MAP": template(
        "map_from_entries(list_transform(string_split({0}, {1}), lambda e: "
        "{{'key': split_part(e, {2}, 1), 'value': split_part(e, {2}, 2)}}))"
    ),
    "REGEXP_EXTRACT": lambda args: sql_expr(
        "nullif(regexp_extract({0}, {1}" + (", {2}" if len(args) > 2 else "") + "), '')", *args
    ),
    "REGEXP_EXTRACT_ALL": lambda args: call("regexp_extract_all", *args),
    "REGEXP_REPLACE": template("regexp_replace({0}, {1}, {2}, 'g')"),
    "REGEXP_SPLIT_TO_ARRAY": renamed("regexp_split_to_array"),
    "CHR": template("chr(CAST({0} AS INTEGER))"),
    "UUID": template("CAST(uuid() AS VARCHAR)"),
    "MASK": template(
        "regexp_replace(regexp_replace(regexp_replace({0}, '[A-Z]', 'X', 'g'), '[a-z]', 'x', 'g'), '[0-9]', 'n', 'g')"
    ),
    "ELT": lambda args: sql_expr(f"[{_rest(args)}][{{0}}]", *args),
    "FIELD": lambda args: sql_expr(f"coalesce(list_position([{_rest(args)}], {{0}}), 0)", *args),
    # math
    "ABS": renamed("abs"),
    "CEIL": renamed("ceil"),
    "FLOOR": renamed("floor"),
    "ROUND": lambda args: call("round", *args),
    "TRUNC": lambda args: call("trunc", *args),
    "SQRT": renamed("sqrt"),
    "CBRT": renamed("cbrt"),
    "EXP": renamed("exp"),
    "LN": renamed("ln"),
    "LOG": lambda args: sql_expr("ln({0})", *args) if len(args) == 1 else sql_expr("log({0}, {1})", *args),
    "POWER": renamed("pow"),
    "SIGN": renamed("sign"),
    "RANDOM": renamed("random"),
    "GREATEST": renamed("greatest"),
    "LEAST": renamed("least"),
    "PI": renamed("pi"),
    "DEGREES": renamed("degrees"),
    "RADIANS": renamed("radians"),
    "SIN": renamed("sin"),
    "COS": renamed("cos"),
    "TAN": renamed("tan"),
    # nulls
    "COALESCE": renamed("coalesce"),
    "IFNULL": renamed("ifnull"),
    "NULLIF": renamed("nullif"),
    # date and time (ROWTIME and BIGINT timestamps are epoch milliseconds, as in ksqlDB)
    "UNIX_TIMESTAMP": lambda args: (
        sql_expr("epoch_ms({0})", *args) if args else sql_expr("epoch_ms(current_timestamp)")
    ),
    "UNIX_DATE": lambda args: (
        sql_expr("CAST({0} - DATE '1970-01-01' AS INTEGER)", *args)
        if args
        else sql_expr("CAST(current_date - DATE '1970-01-01' AS INTEGER)")
    ),
    "FROM_UNIXTIME": template("make_timestamp(CAST({0} AS BIGINT) * 1000)"),
    "FROM_DAYS": template("CAST(DATE '1970-01-01' + CAST({0} AS INTEGER) AS DATE)"),
    "TIMESTAMPTOSTRING": _format_builder("TIMESTAMPTOSTRING"),
    "STRINGTOTIMESTAMP": _format_builder("STRINGTOTIMESTAMP"),
    "FORMAT_TIMESTAMP": _format_builder("FORMAT_TIMESTAMP"),
    "PARSE_TIMESTAMP": _format_builder("PARSE_TIMESTAMP"),
    "FORMAT_DATE": _format_builder("FORMAT_DATE"),
    "PARSE_DATE": _format_builder("PARSE_DATE"),
    "FORMAT_TIME": _format_builder("FORMAT_TIME"),
    "PARSE_TIME": _format_builder("PARSE_TIME"),
    "TIMESTAMPADD": _timestamp_add("+"),
    "TIMESTAMPSUB": _timestamp_add("-"),
    "DATEADD": _date_add("+"),
    "DATESUB": _date_add("-"),
    # JSON
    "EXTRACTJSONFIELD": template("json_extract_string({0}, {1})"),
    "JSON_ARRAY_LENGTH": template(
        "CAST(json_array_length(CASE WHEN json_valid({0}) THEN {0} END) AS INTEGER)"
    ),
    "JSON_KEYS": template("json_keys(CASE WHEN json_valid({0}) THEN {0} END)"),
    "IS_JSON_STRING": template("coalesce(json_valid({0}), false)"),
    "TO_JSON_STRING": template("CAST(to_json({0}) AS VARCHAR)"),
    "JSON_CONCAT": lambda args: call("json_merge_patch", *args),
    # collections (arrays are 1-based in both)
    "ARRAY_CONTAINS": template("list_contains({0}, {1})"),
    # ksqlDB keeps the first occurrence's order; DuckDB's list_distinct does not.
    "ARRAY_DISTINCT": template(_DISTINCT.format("{0}")),
    "ARRAY_EXCEPT": template(
        f"list_filter({_DISTINCT.format('{0}')}, lambda x: NOT list_contains({{1}}, x))"
    ),
    "ARRAY_INTERSECT": template(f"list_filter({_DISTINCT.format('{0}')}, lambda x: list_contains({{1}}, x))"),
    "ARRAY_UNION": template(_DISTINCT.format("list_concat({0}, {1})")),
    "ARRAY_JOIN": lambda args: sql_expr(
        "array_to_string({0}, " + ("{1}" if len(args) > 1 else "','") + ")", *args
    ),
    "ARRAY_LENGTH": template("CAST(len({0}) AS INTEGER)"),
    "CARDINALITY": template("CAST(len({0}) AS INTEGER)"),
    "ARRAY_MAX": template("list_max({0})"),
    "ARRAY_MIN": template("list_min({0})"),
    "ARRAY_REMOVE": template("list_filter({0}, lambda x: x IS DISTINCT FROM {1})"),
    "ARRAY_SORT": lambda args: sql_expr("list_sort({0}" + (", {1}" if len(args) > 1 else "") + ")", *args),
    "ARRAY_CONCAT": template("list_concat({0}, {1})"),
    "SLICE": template("{0}[{1}:{2}]"),
    "GENERATE_SERIES": lambda args: call("generate_series", *args),
    "AS_MAP": template("map({0}, {1})"),
    "MAP_KEYS": template("map_keys({0})"),
    "MAP_VALUES": template("map_values({0})"),
    "ENTRIES": template("list_transform(map_entries({0}), lambda e: {{'K': e.key, 'V': e.value}})"),
    "TRANSFORM": lambda args: (
        _map_transform(args) if len(args) == 3 else sql_expr("list_transform({0}, {1})", *args)
    ),
    "FILTER": lambda args: (
        _map_filter(args) if _arity(args[1]) == 2 else sql_expr("list_filter({0}, {1})", *args)
    ),
    "REDUCE": lambda args: (
        _map_reduce(args) if _arity(args[2]) == 3 else _fold(args[0], args[1], args[2], [""])
    ),
}


TABLE_FUNCTIONS: dict[str, Builder] = {
    "EXPLODE": template("unnest({0})"),
}
