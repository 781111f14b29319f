"""ksqlDB's scalar and table functions, each rewritten as DuckDB SQL with ksqlDB's semantics.

Every entry maps a ksqlDB function name to a builder taking the (already translated) arguments.
Where DuckDB's namesake differs (argument order, 0- vs 1-based positions, null handling, Java date
patterns), the builder says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from streamduck.ksql.compile_datetime import DATETIME_FUNCTIONS

if TYPE_CHECKING:
    from sqlglot import exp

__all__ = ["SCALARS", "TABLE_FUNCTIONS", "literal_text", "sql_expr"]

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


def literal_text(node: exp.Expr, what: str) -> str:
    from sqlglot import exp

    from streamduck.errors import DefinitionError

    if not isinstance(node, exp.Literal) or not node.is_string:
        raise DefinitionError(f"{what} must be a string literal")
    return node.this


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


def _own_names(fn: exp.Expr) -> exp.Expr:
    """A lambda whose parameters are renamed apart from every column: DuckDB binds a name inside a
    struct literal in the lambda's body to a column of that name rather than to the parameter."""
    from sqlglot import exp

    names = {p.name: f"__p_{p.name}" for p in fn.expressions}
    body = parse_sql(_lambda_body(fn, names))
    return exp.Lambda(this=body, expressions=[exp.to_identifier(n) for n in names.values()])


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


def _length(args: list[exp.Expr]) -> exp.Expr:
    """LEN of a STRING counts characters, of BYTES bytes (its argument's type is known here: LEN is
    one of the string functions checked once types are annotated)."""
    from streamduck.ksql.compile_checks import ksql_type_of

    return call("octet_length" if ksql_type_of(args[0]) == "BYTES" else "length", *args)


def _deferred(name: str) -> Builder:
    """A function whose SQL depends on its arguments' types: resolved by :func:`retype` once sqlglot
    has annotated them."""

    def build(args: list[exp.Expr]) -> exp.Expr:
        node = call(name.lower(), *args)
        node.meta["ksql_retype"] = name
        return node

    return build


SCALARS: dict[str, Builder] = {
    # strings (positions are 1-based in both)
    "LEN": lambda args: _length(args),
    "LENGTH": lambda args: _length(args),
    "UCASE": renamed("upper"),
    "LCASE": renamed("lower"),
    "UPPER": renamed("upper"),
    "LOWER": renamed("lower"),
    "LTRIM": renamed("ltrim"),
    "RTRIM": renamed("rtrim"),
    # variadic, and like ksqlDB it skips NULL arguments rather than returning NULL
    "CONCAT": renamed("concat"),
    "CONCAT_WS": lambda args: call("concat_ws", *args),
    "REPLACE": renamed("replace"),
    "INSTR": lambda args: _instr(args),
    # ksqlDB's InitCap: lower-cased, then each run of non-blanks (with the blanks after it) gets an
    # upper-case first letter; leading blanks are dropped
    "INITCAP": template(
        "array_to_string(list_transform(regexp_extract_all(lower({0}), '[^\\s]+\\s*'), "
        "lambda w: upper(w[1]) || w[2:]), '')"
    ),
    "SPLIT": template("CASE WHEN {1} = '' THEN string_split({0}, '') ELSE string_split({0}, {1}) END"),
    "REGEXP_REPLACE": lambda args: _regexp_replace(args),
    "REGEXP_SPLIT_TO_ARRAY": renamed("regexp_split_to_array"),
    "CHR": lambda args: _chr(args),
    "UUID": template("CAST(uuid() AS VARCHAR)"),
    "MASK": lambda args: _mask(args, None),
    "MASK_LEFT": lambda args: _mask(args, "i <= {n}"),
    "MASK_RIGHT": lambda args: _mask(args, "i > len(__c) - {n}"),
    "MASK_KEEP_LEFT": lambda args: _mask(args, "i > {n}"),
    "MASK_KEEP_RIGHT": lambda args: _mask(args, "i <= len(__c) - {n}"),
    "ELT": lambda args: sql_expr(f"[{_rest(args)}][{{0}}]", *args),
    "FIELD": lambda args: sql_expr(f"coalesce(list_position([{_rest(args)}], {{0}}), 0)", *args),
    # math
    "ABS": renamed("abs"),
    "CEIL": renamed("ceil"),
    "FLOOR": renamed("floor"),
    "ROUND": _deferred("ROUND"),
    "TRUNC": lambda args: call("trunc", *args),
    "EXP": renamed("exp"),
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
    "TIMESTAMPADD": _timestamp_add("+"),
    "TIMESTAMPSUB": _timestamp_add("-"),
    "DATEADD": _date_add("+"),
    "DATESUB": _date_add("-"),
    # JSON
    "JSON_ARRAY_LENGTH": template(
        "CAST(json_array_length(CASE WHEN json_valid({0}) THEN {0} END) AS INTEGER)"
    ),
    "IS_JSON_STRING": template("coalesce(json_valid({0}), false)"),
    # collections (arrays are 1-based in both)
    # ksqlDB keeps the first occurrence's order; DuckDB's list_distinct does not.
    "ARRAY_DISTINCT": template(_DISTINCT.format("{0}")),
    # the set functions: NULL when either array is NULL; a NULL element is a value like any other
    "ARRAY_EXCEPT": template(
        "CASE WHEN {1} IS NOT NULL THEN "
        f"list_filter({_DISTINCT.format('{0}')}, lambda x: list_position({{1}}, x) IS NULL) END"
    ),
    "ARRAY_INTERSECT": template(
        f"CASE WHEN {{1}} IS NOT NULL THEN list_filter({_DISTINCT.format('{0}')}, "
        "lambda x: list_position({1}, x) IS NOT NULL) END"
    ),
    "ARRAY_UNION": template(
        "CASE WHEN {0} IS NOT NULL AND {1} IS NOT NULL THEN "
        + _DISTINCT.format("list_concat({0}, {1})")
        + " END"
    ),
    "ARRAY_LENGTH": template("CAST(len({0}) AS INTEGER)"),
    "CARDINALITY": template("CAST(len({0}) AS INTEGER)"),
    "ARRAY_MAX": template("list_max({0})"),
    "ARRAY_MIN": template("list_min({0})"),
    "ARRAY_REMOVE": template("list_filter({0}, lambda x: x IS DISTINCT FROM {1})"),
    "ARRAY_SORT": lambda args: sql_expr("list_sort({0}" + (", {1}" if len(args) > 1 else "") + ")", *args),
    "ARRAY_CONCAT": template("list_concat({0}, {1})"),
    "MAP_KEYS": template("map_keys({0})"),
    "MAP_VALUES": template("map_values({0})"),
    "ENTRIES": lambda args: _entries(args),
    "TRANSFORM": lambda args: (
        _map_transform(args)
        if len(args) == 3
        else sql_expr("list_transform({0}, {1})", args[0], _own_names(args[1]))
    ),
    "FILTER": lambda args: (
        _map_filter(args)
        if _arity(args[1]) == 2
        else sql_expr("list_filter({0}, {1})", args[0], _own_names(args[1]))
    ),
    "REDUCE": lambda args: (
        _map_reduce(args) if _arity(args[2]) == 3 else _fold(args[0], args[1], args[2], [""])
    ),
}


# The parts of a URL, as java.net.URI splits it: scheme://[user@]host[:port]path[?query][#fragment].
_URL = r"^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?://(?:[^@/?#]*@)?([^:/?#]*)(?::([0-9]+))?)?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$"


def _url_part(group: int, cast: str = "") -> Builder:
    part = f"nullif(regexp_extract({{0}}, '{_URL}', {group}), '')"
    return template(f"CAST({part} AS {cast})" if cast else part)


def _url_parameter(args: list[exp.Expr]) -> exp.Expr:
    query = f"regexp_extract({{0}}, '{_URL}', 5)"
    pairs = f"list_filter(string_split({query}, '&'), lambda p: split_part(p, '=', 1) = {{1}})"
    return sql_expr(f"url_decode(replace(nullif(split_part({pairs}[1], '=', 2), ''), '+', ' '))", *args)


def _bytes_from(text: str, encoding: str) -> str:
    """SQL turning a string in ``encoding`` (hex, utf8, ascii, base64) into BYTES."""
    return {
        # text that is not valid in its encoding reads as NULL, never failing the query
        "HEX": f"TRY(unhex({text}))",
        "UTF8": f"encode({text})",
        "ASCII": f"encode({text})",
        "BASE64": f"TRY(from_base64({text}))",
    }[encoding]


def _bytes_to(blob: str, encoding: str) -> str:
    """SQL turning BYTES into a string in ``encoding``."""
    return {
        "HEX": f"lower(hex({blob}))",
        "UTF8": f"TRY(decode({blob}))",
        "ASCII": f"TRY(decode({blob}))",
        "BASE64": f"to_base64({blob})",
    }[encoding]


def _encoding(node: exp.Expr) -> str:
    from streamduck.errors import DefinitionError

    name = literal_text(node, "an encoding").upper().replace("-", "")
    if name not in ("HEX", "UTF8", "ASCII", "BASE64"):
        raise DefinitionError(f"Supported encodings are: hex, utf8, ascii and base64; got '{node.this}'")
    return name


def _to_bytes(args: list[exp.Expr]) -> exp.Expr:
    return sql_expr(_bytes_from("{0}", _encoding(args[1])), args[0])


def _from_bytes(args: list[exp.Expr]) -> exp.Expr:
    return sql_expr(_bytes_to("{0}", _encoding(args[1])), args[0])


def _encode(args: list[exp.Expr]) -> exp.Expr:
    source, target = _encoding(args[1]), _encoding(args[2])
    return sql_expr(_bytes_to(_bytes_from("{0}", source), target), args[0])


def _geo_distance(args: list[exp.Expr]) -> exp.Expr:
    """Great-circle distance (haversine) on ksqlDB's sphere: 6371 km, or 3959 miles."""
    from streamduck.errors import DefinitionError

    radius = 6371.0
    if len(args) > 4:
        unit = literal_text(args[4], "the unit of GEO_DISTANCE").lower()
        if unit not in ("km", "kilometers", "kilometres", "mi", "miles"):
            raise DefinitionError(f"GEO_DISTANCE: unknown unit '{unit}' (KM or MI)")
        radius = 3959.0 if unit.startswith("mi") else 6371.0
    return sql_expr(
        f"2 * {radius} * asin(sqrt(pow(sin(radians({{2}} - {{0}}) / 2), 2) + "
        "cos(radians({0})) * cos(radians({2})) * pow(sin(radians({3} - {1}) / 2), 2)))",
        *args[:4],
    )


SCALARS.update(
    {
        "AS_VALUE": template("{0}"),
        "ATAN": renamed("atan"),
        "ATAN2": renamed("atan2"),
        "SINH": template("(exp({0}) - exp(-{0})) / 2"),
        "COSH": template("(exp({0}) + exp(-{0})) / 2"),
        "TANH": template("(exp(2 * {0}) - 1) / (exp(2 * {0}) + 1)"),
        "MD5": template("md5({0})"),
        "TO_BYTES": _to_bytes,
        "FROM_BYTES": _from_bytes,
        "ENCODE": _encode,
        "URL_EXTRACT_PROTOCOL": _url_part(1),
        "URL_EXTRACT_HOST": _url_part(2),
        "URL_EXTRACT_PORT": _url_part(3, "INTEGER"),
        "URL_EXTRACT_PARAMETER": _url_parameter,
        # Java's URLEncoder: form encoding, a space is '+'
        # Guava's form parameter escaper: '*' stays, '~' is escaped, a space is '+'
        "URL_ENCODE_PARAM": template(
            "replace(replace(replace(url_encode({0}), '%20', '+'), '%2A', '*'), '~', '%7E')"
        ),
        "URL_DECODE_PARAM": template("url_decode(replace({0}, '+', ' '))"),
        "JSON_ARRAY_CONTAINS": template(
            "CASE WHEN NOT coalesce(json_valid({0}), false) THEN false WHEN json_type({0}) = 'ARRAY' THEN "
            "coalesce(list_contains(list_transform(CAST(json_extract({0}, '$[*]') AS JSON[]), "
            "lambda e: e = CAST(to_json({1}) AS JSON)), true), false) ELSE false END"
        ),
        "JSON_ITEMS": template(
            "CASE WHEN NOT coalesce(json_valid({0}), false) THEN NULL WHEN json_type({0}) = 'ARRAY' THEN "
            "CAST(json_extract({0}, '$[*]') AS VARCHAR[]) END"
        ),
        "JSON_RECORDS": template(
            "CASE WHEN NOT coalesce(json_valid({0}), false) THEN NULL WHEN json_type({0}) = 'OBJECT' THEN map_from_entries("
            "list_transform(json_keys({0}), lambda k: {{'key': k, 'value': "
            "CAST(json_extract({0}, '$.\"' || k || '\"') AS VARCHAR)}})) END"
        ),
        "MAP_UNION": template("map_concat(coalesce({0}, MAP {{}}), coalesce({1}, MAP {{}}))"),
        "GEO_DISTANCE": _geo_distance,
    }
)


def _cube(args: list[exp.Expr]) -> exp.Expr:
    """Every combination of the array's elements and NULL, as ksqlDB's CUBE_EXPLODE orders them."""
    return sql_expr(
        "unnest(list_transform(range(CAST(pow(2, len({0})) AS BIGINT)), lambda m: "
        "list_transform(range(len({0})), lambda i: CASE WHEN (m >> (len({0}) - 1 - i)) & 1 = 1 "
        "THEN {0}[i + 1] END)))",
        args[0],
    )


TABLE_FUNCTIONS: dict[str, Builder] = {
    "EXPLODE": template("unnest({0})"),
    "CUBE_EXPLODE": _cube,
}


def parse_sql(text: str) -> exp.Expr:
    """DuckDB SQL text parsed by sqlglot (no placeholders: braces stay as written)."""
    import sqlglot

    return sqlglot.parse_one(text, read="duckdb")


def case_sensitive_keys(node: exp.Expr) -> exp.Expr:
    """Mark the field names of the struct literals in ``node`` as written (``K`` stays ``K``).

    sqlglot's qualify step lowercases DuckDB identifiers, which would name ksqlDB's upper-case
    struct fields in lower case in the output.
    """
    from sqlglot import exp

    for prop in node.find_all(exp.PropertyEQ):
        if isinstance(prop.this, exp.Identifier):
            prop.this.meta["case_sensitive"] = True
    return node


def _entries(args: list[exp.Expr]) -> exp.Expr:
    entries = "map_entries({0})"
    if len(args) > 1:
        entries = "CASE WHEN {1} THEN list_sort(map_entries({0})) ELSE map_entries({0}) END"
    return case_sensitive_keys(
        sql_expr(f"list_transform({entries}, lambda __e: {{{{'K': __e.key, 'V': __e.value}}}})", *args)
    )


_CLASSES = (r"\p{Lu}", r"\p{Ll}", r"\p{Nd}")
_DEFAULT_MASKS = ("'X'", "'x'", "'n'", "'-'")


def _mask_char(node: exp.Expr) -> str:
    from sqlglot import exp

    from streamduck.errors import DefinitionError

    if isinstance(node, exp.Literal) and node.is_string and len(node.this) != 1:
        raise DefinitionError(f"Invalid mask character. Must be only single character, but was '{node.this}'")
    return node.sql("duckdb")


def _mask(args: list[exp.Expr], where: str | None) -> exp.Expr:
    """ksqlDB's Masker: upper-case letters, lower-case letters, digits and the rest, each replaced by
    its mask character (a NULL mask leaves that class alone); ``where`` limits it to some positions."""
    text, rest = args[0].sql("duckdb"), args[1:]
    count = None
    if where is not None:
        count, rest = rest[0].sql("duckdb"), rest[1:]
    masks = [_mask_char(m) for m in rest] + list(_DEFAULT_MASKS[len(rest) :])
    cases = " ".join(
        f"WHEN regexp_matches(__c, '{cls}') THEN coalesce({mask}, __c)"
        for cls, mask in zip(_CLASSES, masks, strict=False)
    )
    masked = f"CASE WHEN __c = '' THEN __c {cases} ELSE coalesce({masks[3]}, __c) END"
    if where is not None:
        condition = where.format(n=f"CAST({count} AS BIGINT)").replace("len(__c)", f"length({text})")
        masked = f"CASE WHEN {condition} THEN {masked} ELSE __c END"
    return parse_sql(
        f"CASE WHEN {text} IS NOT NULL THEN "
        f"array_to_string(list_transform(string_split({text}, ''), lambda __c, i: {masked}), '') END"
    )


def _instr(args: list[exp.Expr]) -> exp.Expr:
    """INSTR as ksqlDB's Instr: the occurrence-th match (overlapping) from position; a negative
    position searches from the end. 0 when not found or when either string is NULL."""
    text, sub = args[0].sql("duckdb"), args[1].sql("duckdb")
    position = args[2].sql("duckdb") if len(args) > 2 else "1"
    occurrence = args[3].sql("duckdb") if len(args) > 3 else "1"

    def nth(haystack: str, needle: str) -> str:
        matches = (
            f"list_filter(range(1, length({haystack}) + 1), "
            f"lambda __k: substring({haystack}, __k, length({needle})) = {needle})"
        )
        return f"coalesce({matches}[{occurrence}] - 1, -1)"

    backwards = nth(f"substring(reverse({text}), -({position}))", f"reverse({sub})")
    return parse_sql(
        f"CAST(CASE WHEN {text} IS NULL OR {sub} IS NULL THEN 0 "
        f"WHEN abs({position}) > length({text}) THEN 0 "
        f"WHEN {position} < 0 THEN length({text}) + {position} - {backwards} "
        f"ELSE {nth(f'substring({text}, {position})', sub)} + {position} END AS INTEGER)"
    )


def _chr(args: list[exp.Expr]) -> exp.Expr:
    """CHR of a code point, or of a ``\\uXXXX`` string; NULL for what is not a code point."""
    from sqlglot import exp

    node = args[0]
    if isinstance(node, exp.Literal) and node.is_string:
        text = node.this
        if len(text) == 6 and text.startswith("\\u"):
            try:
                return parse_sql(f"chr({int(text[2:], 16)})")
            except ValueError:
                pass
        return parse_sql("CAST(NULL AS VARCHAR)")
    code = node.sql("duckdb")
    return parse_sql(f"CASE WHEN {code} BETWEEN 1 AND 1114111 THEN chr(CAST({code} AS INTEGER)) END")


def _java_replacement(text: str) -> str:
    """A java.util.regex replacement (``$1``, ``\\$``) in RE2's form (``\\1``, ``$``)."""
    out, i = "", 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out += "\\\\" if text[i + 1] == "\\" else text[i + 1]
            i += 2
        elif char == "$" and i + 1 < len(text) and text[i + 1].isdigit():
            out += "\\" + text[i + 1]
            i += 2
        else:
            out += char
            i += 1
    return out


def _regexp_replace(args: list[exp.Expr]) -> exp.Expr:
    from sqlglot import exp

    replacement = args[2]
    if isinstance(replacement, exp.Literal) and replacement.is_string:
        replacement = exp.Literal.string(_java_replacement(replacement.this))
    else:
        replacement = parse_sql(f"regexp_replace({replacement.sql('duckdb')}, '\\$(\\d)', '\\\\\\1', 'g')")
    return sql_expr("regexp_replace({0}, {1}, {2}, 'g')", args[0], args[1], replacement)


def _from_bytes_number(kind: str) -> Builder:
    """INT_FROM_BYTES / BIGINT_FROM_BYTES / DOUBLE_FROM_BYTES: a big- or little-endian value of
    exactly 4 (INT) or 8 bytes, read as Kafka's serializers write keys; NULL for another length or
    an unknown byte order."""

    def build(args: list[exp.Expr]) -> exp.Expr:
        from streamduck.warehouse.kafka_keys import kafka_key_sql

        blob = args[0].sql("duckdb")
        order = literal_text(args[1], f"the byte order of {kind}").upper() if len(args) > 1 else "BIG_ENDIAN"
        if order not in ("BIG_ENDIAN", "LITTLE_ENDIAN"):
            return parse_sql(f"CAST(NULL AS {'INTEGER' if kind == 'INT' else kind})")
        if order == "LITTLE_ENDIAN":
            pairs = f"list_transform(range(1, length(hex({blob})), 2), lambda __i: substring(hex({blob}), __i, 2))"
            blob = f"unhex(array_to_string(list_reverse({pairs}), ''))"
        return parse_sql(kafka_key_sql(blob, kind))

    return build


def _check_string_argument(name: str, node: exp.Expr) -> None:
    """ksqlDB's resolution error when the first argument is known and is not a STRING (or BYTES)."""
    from streamduck.errors import DefinitionError
    from streamduck.ksql.compile_checks import ksql_type_of

    first = ksql_type_of(node.expressions[0])
    if first is None or first in ("STRING", "BYTES"):
        return
    shown = ", ".join(ksql_type_of(a) or "NULL" for a in node.expressions)
    raise DefinitionError(f"Function '{name}' does not accept parameters ({shown}).")


def retype(node: exp.Expr) -> exp.Expr:
    """Rewrite what depends on argument types, once sqlglot has annotated them (see compile_types)."""
    from sqlglot import exp

    deferred = node.meta.get("ksql_retype")
    if deferred is not None:
        _retype_inside(node)
        if len(node.expressions) not in _ARGUMENT_COUNTS.get(deferred, range(99)):
            node.meta["ksql_name"] = deferred
            return _arity_error(node)
        return _RETYPED[deferred](node)
    if isinstance(node, exp.Div):
        return _decimal_division(node)
    return node


_INTEGER_AS_DECIMAL = {"TINYINT": (3, 0), "SMALLINT": (5, 0), "INT": (10, 0), "BIGINT": (19, 0)}


def _decimal_division(node: exp.Expr) -> exp.Expr:
    """DECIMAL / DECIMAL (or an integer, as a DECIMAL of its digits) is a DECIMAL in ksqlDB, of scale
    max(6, s1 + p2 + 1) (DuckDB would answer a DOUBLE); division by zero gives NULL."""
    left, right = _decimal(node.this), _decimal(node.expression)
    if left is None and right is None:
        return node
    types = [getattr(side, "type", None) for side in (node.this, node.expression)]
    names = [t.this.name if t is not None else "UNKNOWN" for t in types]
    left = left or _INTEGER_AS_DECIMAL.get(names[0])
    right = right or _INTEGER_AS_DECIMAL.get(names[1])
    if left is None or right is None:
        return node  # DOUBLE on one side: DOUBLE arithmetic, as in ksqlDB
    (p1, s1), (p2, s2) = left, right
    scale = max(6, s1 + p2 + 1)
    precision = min(p1 - s1 + s2 + scale, 38)
    scale = min(scale, precision)
    return parse_sql(
        f"CAST(round(CAST({node.this.sql('duckdb')} AS DOUBLE) / "
        f"nullif(CAST({node.expression.sql('duckdb')} AS DOUBLE), 0), {scale}) AS DECIMAL({precision}, {scale}))"
    )


def _retype_inside(node: exp.Expr) -> None:
    """Resolve the deferred functions nested in ``node``'s arguments first (innermost first), each
    keeping the type sqlglot gave it: ``node`` renders its arguments as SQL text."""
    for inner in reversed(list(node.walk())):
        if inner is not node and inner.meta.get("ksql_retype") is not None and inner.parent is not None:
            resolved = _RETYPED[inner.meta["ksql_retype"]](inner)
            resolved.type = inner.type
            inner.replace(resolved)


def _decimal(node: exp.Expr) -> tuple[int, int] | None:
    """(precision, scale) of a DECIMAL-typed node; None for another or unknown type."""
    data_type = getattr(node, "type", None)
    if data_type is None or data_type.this.name != "DECIMAL":
        return None
    params = [int(p.name) for p in data_type.expressions if p.name.isdigit()]
    return (params[0], params[1]) if len(params) == 2 else (18, 3)


def _typed_round(node: exp.Expr) -> exp.Expr:
    """ksqlDB's ROUND: ties go up (towards +infinity, like Java's Math.round); an integer stays a
    BIGINT; a DOUBLE becomes a BIGINT, or stays a DOUBLE with decimal places; a DECIMAL stays a DECIMAL
    (of scale 0 without decimal places, of its own type with them)."""
    value, places = node.expressions[0], node.expressions[1] if len(node.expressions) > 1 else None
    type_name = value.type.this.name if getattr(value, "type", None) is not None else "UNKNOWN"
    x = value.sql("duckdb")
    if type_name in ("INT", "BIGINT", "SMALLINT", "TINYINT") and places is None:
        return parse_sql(f"CAST({x} AS BIGINT)")
    decimal = _decimal(value)
    if places is None:
        if decimal is not None:
            precision, scale = decimal
            return parse_sql(f"CAST(floor({x} + 0.5) AS DECIMAL({max(precision - scale, 1)}, 0))")
        return parse_sql(f"CAST(floor({x} + 0.5) AS BIGINT)")
    n = places.sql("duckdb")
    if decimal is not None:
        precision, scale = decimal
        return parse_sql(
            f"CAST(floor(CAST({x} AS DOUBLE) * pow(10, {n}) + 0.5) / pow(10, {n}) AS DECIMAL({precision}, {scale}))"
        )
    # Java rounds the double's shortest decimal form (BigDecimal.valueOf); rounding the scaled value
    # to 9 places first drops binary noise such as 1.005 * 100 = 100.49999999999999.
    return parse_sql(f"floor(round(CAST({x} AS DOUBLE) * pow(10, {n}), 9) + 0.5) / pow(10, {n})")


SCALARS.update(
    {
        "INT_FROM_BYTES": _from_bytes_number("INT"),
        "BIGINT_FROM_BYTES": _from_bytes_number("BIGINT"),
        "DOUBLE_FROM_BYTES": _from_bytes_number("DOUBLE"),
        **DATETIME_FUNCTIONS,
    }
)


def _sql(args: list[exp.Expr]) -> list[str]:
    return [a.sql("duckdb") for a in args]


def _substring(args: list[exp.Expr]) -> exp.Expr:
    """SUBSTRING as ksqlDB's: 1-based; a negative position counts from the end; position 0 and
    positions or lengths past the ends are clamped (Java's indices), never an error."""
    text, pos = _sql(args[:2])
    start = (
        f"CASE WHEN {pos} < 0 THEN greatest(length({text}) + {pos}, 0) "
        f"ELSE greatest(least({pos} - 1, length({text})), 0) END"
    )
    if len(args) == 2:
        return parse_sql(f"CASE WHEN {pos} IS NOT NULL THEN substring({text}, {start} + 1) END")
    size = args[2].sql("duckdb")
    end = f"greatest(least({start} + {size}, length({text})), {start})"
    return parse_sql(
        f"CASE WHEN {pos} IS NOT NULL AND {size} IS NOT NULL THEN substring({text}, {start} + 1, {end} - {start}) END"
    )


def _pad(side: str) -> Builder:
    # NULL for an empty (or NULL) padding or a negative length; a longer input is truncated.
    return template(f"CASE WHEN {{2}} = '' OR {{1}} < 0 THEN NULL ELSE {side}({{0}}, {{1}}, {{2}}) END")


def _array_join(args: list[exp.Expr]) -> exp.Expr:
    """ARRAY_JOIN as Java's StringJoiner: a NULL element is written 'null'; a NULL delimiter is ''."""
    delimiter = args[1].sql("duckdb") if len(args) > 1 else "','"
    return parse_sql(
        f"array_to_string(list_transform({args[0].sql('duckdb')}, "
        f"lambda __e: coalesce(CAST(__e AS VARCHAR), 'null')), coalesce({delimiter}, ''))"
    )


def last_wins(entries: str) -> str:
    """Struct entries ``{k, v}`` with one per key: at the key's first place, with its last value."""
    keys = f"list_transform({entries}, lambda __x: __x.k)"
    first = f"list_filter({keys}, lambda __v, __i: list_position({keys}, __v) = __i)"
    last = f"{entries}[length({keys}) + 1 - list_position(list_reverse({keys}), __key)].v"
    return f"list_transform({first}, lambda __key: {{'k': __key, 'v': {last}}})"


def _split_to_map(args: list[exp.Expr]) -> exp.Expr:
    """SPLIT_TO_MAP as ksqlDB's: empty entries and entries without the key delimiter skipped, the
    last value of a repeated key kept; NULL for an empty delimiter or equal delimiters."""
    text, entry, kv = _sql(args)
    pairs = f"list_filter(string_split({text}, {entry}), lambda __p: __p <> '' AND contains(__p, {kv}))"
    entries = f"list_transform({pairs}, lambda __p: {{'k': split_part(__p, {kv}, 1), 'v': split_part(__p, {kv}, 2)}})"
    return parse_sql(
        f"CASE WHEN {entry} = '' OR {kv} = '' OR {entry} = {kv} THEN NULL ELSE "
        f"map_from_entries(list_transform({last_wins(entries)}, lambda __e: {{'key': __e.k, 'value': __e.v}})) END"
    )


def _regexp_extract(args: list[exp.Expr]) -> exp.Expr:
    """REGEXP_EXTRACT(pattern, input[, group]): ksqlDB takes the pattern first."""
    pattern, text = _sql(args[:2])
    group = f", {args[2].sql('duckdb')}" if len(args) > 2 else ""
    return parse_sql(
        f"CASE WHEN regexp_matches({text}, {pattern}) THEN regexp_extract({text}, {pattern}{group}) END"
    )


def _regexp_extract_all(args: list[exp.Expr]) -> exp.Expr:
    pattern, text = _sql(args[:2])
    group = f", {args[2].sql('duckdb')}" if len(args) > 2 else ""
    return parse_sql(f"regexp_extract_all({text}, {pattern}{group})")


def _java_ln(x: str) -> str:
    """Java's Math.log: -Infinity at 0 and NaN below (DuckDB raises an error)."""
    return f"CASE WHEN {x} = 0 THEN '-Infinity'::DOUBLE WHEN {x} < 0 THEN 'NaN'::DOUBLE ELSE ln({x}) END"


def _log(args: list[exp.Expr]) -> exp.Expr:
    if len(args) == 1:
        return parse_sql(_java_ln(args[0].sql("duckdb")))
    base, value = _sql(args)
    return parse_sql(
        f"CASE WHEN {base} IS NULL OR {value} IS NULL THEN NULL "
        f"WHEN {base} <= 0 OR {base} = 1 THEN 'NaN'::DOUBLE ELSE ({_java_ln(value)}) / ln({base}) END"
    )


def _json_object_sql(j: str) -> str:
    return f"coalesce(json_valid({j}), false) AND json_type({j}) = 'OBJECT'"


def _json_concat(args: list[exp.Expr]) -> exp.Expr:
    """JSON_CONCAT as PostgreSQL's ``||`` (ksqlDB's rule): objects merge their top-level keys (the last
    value wins); otherwise arrays concatenate, other values counting as one-element arrays; NULL
    when any input is NULL or not JSON."""
    js = _sql(args)
    valid = " AND ".join(f"coalesce(json_valid({j}), false)" for j in js)
    objects = " AND ".join(f"json_type({j}) = 'OBJECT'" for j in js)

    def concat(lists: list[str]) -> str:
        result = lists[0]
        for more in lists[1:]:
            result = f"list_concat({result}, {more})"
        return result

    entries = concat(
        [
            f"list_transform(json_keys({j}), lambda __k: {{'k': __k, 'v': "
            f"CAST(json_extract({j}, '$.\"' || __k || '\"') AS VARCHAR)}})"
            for j in js
        ]
    )
    merged = (
        f"'{{' || array_to_string(list_transform({last_wins(entries)}, "
        f"lambda __e: CAST(to_json(__e.k) AS VARCHAR) || ':' || __e.v), ',') || '}}'"
    )
    elements = concat(
        [
            f"CASE WHEN json_type({j}) = 'ARRAY' THEN CAST(json_extract({j}, '$[*]') AS VARCHAR[]) "
            f"ELSE [CAST(json({j}) AS VARCHAR)] END"
            for j in js
        ]
    )
    return parse_sql(
        f"CASE WHEN NOT ({valid}) THEN NULL WHEN {objects} THEN {merged} "
        f"ELSE '[' || array_to_string({elements}, ',') || ']' END"
    )


def _java_time_text(wall: str) -> str:
    """Java's LocalTime.toString of a TIMESTAMP's time: HH:mm, then :ss and .SSS only when not zero."""
    ms = f"(epoch_ms({wall}) % 60000)"
    return (
        f"strftime({wall}, '%H:%M') || CASE WHEN {ms} = 0 THEN '' "
        f"WHEN {ms} % 1000 = 0 THEN strftime({wall}, ':%S') ELSE strftime({wall}, ':%S.%g') END"
    )


def _typed_to_json_string(node: exp.Expr) -> exp.Expr:
    """TO_JSON_STRING: NULL is 'null'; TIMESTAMP, TIME, DATE and BYTES are written as ksqlDB's
    JSON mapper writes them, at any depth inside a STRUCT, ARRAY or MAP."""
    value = node.expressions[0]
    data_type = getattr(value, "type", None)
    return parse_sql(f"coalesce({_json_text(value.sql('duckdb'), data_type, 0)}, 'null')")


_JAVA_TYPED = ("TIMESTAMP", "DATETIME", "TIME", "DATE", "VARBINARY", "BLOB", "BINARY")


def _json_text(x: str, data_type: exp.DataType | None, depth: int) -> str:
    """SQL for the JSON text of ``x`` (SQL NULL when ``x`` is NULL), by its type: DuckDB's
    ``to_json`` for what it writes as ksqlDB does, spelled out for the types it writes otherwise."""
    from sqlglot import exp

    if data_type is None or not any(
        t.this.name.startswith(_JAVA_TYPED) for t in data_type.find_all(exp.DataType)
    ):
        return f"CAST(to_json({x}) AS VARCHAR)"
    kind = data_type.this.name
    if kind.startswith(("TIMESTAMP", "DATETIME")):  # Jackson's yyyy-MM-dd'T'HH:mm:ss.SSS
        return f"'\"' || strftime({x}, '%Y-%m-%dT%H:%M:%S.%g') || '\"'"
    if kind.startswith("TIME"):  # java.time.LocalTime.toString
        return f"'\"' || {_java_time_text(f'(DATE {chr(39)}1970-01-01{chr(39)} + {x})')} || '\"'"
    if kind == "DATE":
        return f"'\"' || strftime({x}, '%Y-%m-%d') || '\"'"
    if kind in ("VARBINARY", "BLOB", "BINARY"):  # Jackson writes bytes as base64
        return f"'\"' || to_base64({x}) || '\"'"
    element = f"__json{depth}"
    if kind == "ARRAY":
        inner = _json_text(element, data_type.expressions[0], depth + 1)
        items = f"list_transform({x}, lambda {element}: coalesce({inner}, 'null'))"
        return f"CASE WHEN {x} IS NOT NULL THEN '[' || array_to_string({items}, ',') || ']' END"
    if kind == "MAP":
        key_type, value_type = data_type.expressions
        inner = _json_text(f"{element}.value", value_type, depth + 1)
        entries = (
            f"list_transform(map_entries({x}), lambda {element}: "
            f"CAST(to_json(CAST({element}.key AS VARCHAR)) AS VARCHAR) || ':' || coalesce({inner}, 'null'))"
        )
        return f"CASE WHEN {x} IS NOT NULL THEN '{{' || array_to_string({entries}, ',') || '}}' END"
    if kind == "STRUCT":
        # The field names as DuckDB holds them (sqlglot's schema lower-cases them; struct_extract
        # does not mind): ksqlDB writes them as declared, upper-case unless quoted.
        names = f"json_keys(to_json({x}))"
        fields = []
        for i, field in enumerate(data_type.expressions, start=1):
            inner = _json_text(
                f"struct_extract({x}, {_sql_string(field.name)})", field.args.get("kind"), depth + 1
            )
            fields.append(f"CAST(to_json({names}[{i}]) AS VARCHAR) || ':' || coalesce({inner}, 'null')")
        joined = " || ',' || ".join(fields)
        return f"CASE WHEN {x} IS NOT NULL THEN '{{' || {joined} || '}}' END"
    return f"CAST(to_json({x}) AS VARCHAR)"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_URL_PARTS = {"PATH": 4, "QUERY": 5, "FRAGMENT": 6}


def _url_decoded(part: str) -> Builder:
    """The path, query or fragment as java.net.URI answers them: percent-escapes decoded ('+' kept);
    the path is '' when absent, the others NULL."""
    group = _URL_PARTS[part]
    extracted = f"regexp_extract({{0}}, '{_URL}', {group})"
    if part != "PATH":
        extracted = f"nullif({extracted}, '')"
    return template(f"url_decode(replace({extracted}, '+', '%2B'))")


def _url_parameter_decoded(args: list[exp.Expr]) -> exp.Expr:
    """URL_EXTRACT_PARAMETER: the first value of the parameter, names and values form-decoded."""
    query = f"regexp_extract({{0}}, '{_URL}', 5)"
    decode = "url_decode(replace({}, '+', ' '))"
    pairs = (
        f"list_filter(string_split({query}, '&'), "
        f"lambda __p: {decode.format('split_part(__p, ' + chr(39) + '=' + chr(39) + ', 1)')} = {{1}})"
    )
    value = f"nullif(split_part({pairs}[1], '=', 2), '')"
    return sql_expr(decode.format(value), *args)


def _typed_substring(node: exp.Expr) -> exp.Expr:
    _check_string_argument("SUBSTRING", node)
    return _substring(node.expressions)


def _checked(node: exp.Expr) -> exp.Expr:
    name, builder = node.meta["ksql_build"]
    _check_string_argument(name, node)
    try:
        return builder(node.expressions)
    except IndexError:
        node.meta["ksql_name"] = name
        return _arity_error(node)


def _arity_error(node: exp.Expr) -> exp.Expr:
    from streamduck.errors import DefinitionError
    from streamduck.ksql.compile_checks import ksql_type_of

    shown = ", ".join(ksql_type_of(a) or "NULL" for a in node.expressions)
    raise DefinitionError(f"Function '{node.meta['ksql_name']}' does not accept parameters ({shown}).")


def arity_error(name: str, args: list[exp.Expr]) -> exp.Expr:
    """A call with a number of arguments no builder takes: rejected with ksqlDB's wording once the
    arguments' types are known (see :func:`retype`)."""
    node = call(name.lower(), *args)
    node.meta.update(ksql_retype="ARITY", ksql_name=name)
    return node


def _string_first(name: str, builder: Builder) -> Builder:
    """``builder`` for a function whose first argument must be a STRING, checked with ksqlDB's wording
    once types are known (DuckDB's own error would name its function, not ksqlDB's)."""

    def build(args: list[exp.Expr]) -> exp.Expr:
        node = call(name.lower(), *args)
        node.meta.update(ksql_retype="CHECKED", ksql_build=(name, builder))
        return node

    return build


# how many arguments each deferred function takes (the others check their own)
_ARGUMENT_COUNTS = {"ROUND": range(1, 3), "TO_JSON_STRING": range(1, 2), "SUBSTRING": range(2, 4)}

_RETYPED: dict[str, Callable[[exp.Expr], exp.Expr]] = {
    "ROUND": lambda node: _typed_round(node),
    "TO_JSON_STRING": lambda node: _typed_to_json_string(node),
    "SUBSTRING": _typed_substring,
    "CHECKED": _checked,
    "ARITY": _arity_error,
}


SCALARS.update(
    {
        "SUBSTRING": _deferred("SUBSTRING"),
        "LPAD": _pad("lpad"),
        "RPAD": _pad("rpad"),
        "ARRAY_JOIN": _array_join,
        "SPLIT_TO_MAP": _split_to_map,
        "REGEXP_EXTRACT": _regexp_extract,
        "REGEXP_EXTRACT_ALL": _regexp_extract_all,
        "LN": lambda args: parse_sql(_java_ln(args[0].sql("duckdb"))),
        "LOG": _log,
        "SQRT": template("CASE WHEN {0} < 0 THEN 'NaN'::DOUBLE ELSE sqrt({0}) END"),
        # Java's Math.cbrt is exact on cubes (DuckDB's answers 3.0000000000000004 for 27)
        "CBRT": template(
            "CASE WHEN pow(round(cbrt({0})), 3) = {0} THEN CAST(round(cbrt({0})) AS DOUBLE) ELSE cbrt({0}) END"
        ),
        "JSON_KEYS": lambda args: parse_sql(
            f"CASE WHEN {_json_object_sql(args[0].sql('duckdb'))} THEN json_keys({args[0].sql('duckdb')}) END"
        ),
        "JSON_CONCAT": _json_concat,
        "TO_JSON_STRING": _deferred("TO_JSON_STRING"),
        "URL_EXTRACT_PATH": _url_decoded("PATH"),
        "URL_EXTRACT_QUERY": _url_decoded("QUERY"),
        "URL_EXTRACT_FRAGMENT": _url_decoded("FRAGMENT"),
        "URL_EXTRACT_PARAMETER": _url_parameter_decoded,
    }
)


def _slice(args: list[exp.Expr]) -> exp.Expr:
    """SLICE as Java's subList: 1-based and inclusive; a NULL bound is the array's end; bounds out of
    range (or crossed) give NULL."""
    items, start, end = _sql(args)
    first, last = f"coalesce({start} - 1, 0)", f"coalesce({end}, len({items}))"
    return parse_sql(
        f"CASE WHEN {first} >= 0 AND {first} <= {last} AND {last} <= len({items}) "
        f"THEN {items}[{first} + 1:{last}] END"
    )


def _generate_series(args: list[exp.Expr]) -> exp.Expr:
    """GENERATE_SERIES as ksqlDB's: without a step it counts down when end < start; a zero step or
    one of the wrong sign (ksqlDB's function error) gives NULL."""
    start, end = _sql(args[:2])
    if len(args) == 2:
        return parse_sql(f"generate_series({start}, {end}, CASE WHEN {end} - {start} > 0 THEN 1 ELSE -1 END)")
    step = args[2].sql("duckdb")
    return parse_sql(
        f"CASE WHEN {step} = 0 OR ({end} - {start} > 0 AND {step} < 0) OR ({end} - {start} < 0 AND {step} > 0) "
        f"THEN NULL ELSE generate_series({start}, {end}, {step}) END"
    )


def _as_map(args: list[exp.Expr]) -> exp.Expr:
    """AS_MAP as ksqlDB's: one entry per key (a missing value is NULL, a repeated key's last value wins)."""
    keys, values = _sql(args)
    entries = f"list_filter(list_transform({keys}, lambda __k, __i: {{'k': __k, 'v': {values}[__i]}}), lambda __e: __e.k IS NOT NULL)"
    return parse_sql(
        f"map_from_entries(list_transform({last_wins(entries)}, lambda __e: {{'key': __e.k, 'value': __e.v}}))"
    )


SCALARS.update(
    {
        # Java's String.trim: every character up to U+0020 at either end, not only spaces
        "TRIM": template("regexp_replace({0}, '^[\\x00-\\x20]+|[\\x00-\\x20]+$', '', 'g')"),
        # List.contains: false for a NULL array; a NULL value is found among NULL elements
        "ARRAY_CONTAINS": template(
            "CASE WHEN {0} IS NULL THEN false ELSE list_position({0}, {1}) IS NOT NULL END"
        ),
        "SLICE": _slice,
        # NULL (not a failed query) for text that is not JSON
        "EXTRACTJSONFIELD": template("CASE WHEN json_valid({0}) THEN json_extract_string({0}, {1}) END"),
        # Java's Math: NaN outside [-1, 1] and an infinity at 0 where DuckDB raises an error
        "ASIN": template(
            "CASE WHEN {0} BETWEEN -1 AND 1 THEN asin({0}) WHEN {0} IS NOT NULL THEN 'NaN'::DOUBLE END"
        ),
        "ACOS": template(
            "CASE WHEN {0} BETWEEN -1 AND 1 THEN acos({0}) WHEN {0} IS NOT NULL THEN 'NaN'::DOUBLE END"
        ),
        "COT": template("1.0 / tan(CAST({0} AS DOUBLE))"),
        "GENERATE_SERIES": _generate_series,
        "AS_MAP": _as_map,
    }
)


_STRING_FUNCTIONS = (
    "LEN", "LENGTH", "UCASE", "LCASE", "UPPER", "LOWER", "TRIM", "LTRIM", "RTRIM", "LPAD", "RPAD",
    "INITCAP", "REPLACE", "SPLIT", "INSTR", "MASK", "MASK_LEFT", "MASK_RIGHT", "MASK_KEEP_LEFT",
    "MASK_KEEP_RIGHT",
)  # fmt: skip
SCALARS.update({name: _string_first(name, SCALARS[name]) for name in _STRING_FUNCTIONS})
