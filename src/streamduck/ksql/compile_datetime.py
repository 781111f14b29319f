"""ksqlDB's date and time functions: Java ``DateTimeFormatter`` patterns and time zones in DuckDB SQL.

ksqlDB's TIMESTAMP is an instant without a zone (epoch milliseconds, shown in UTC). A function's
optional time zone says in which zone the text is written: formatting shifts the instant to that
zone's wall clock, parsing reads the wall clock of that zone back to the instant. DuckDB's
``timezone(zone, x)`` does both shifts (ICU); the session zone is never involved.

A pattern is split into Java's letter runs, quoted literals and other characters; each letter run
becomes a strftime/strptime code, except the zone offset letters (``X``, ``Z``, ``z``), which
strftime cannot write for a zone other than the session's: they are computed from the zone's offset
at that instant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlglot import exp

    from streamduck.ksql.compile_functions import Builder

__all__ = ["DATETIME_FUNCTIONS", "java_pattern_parts", "parse_sql"]

_OFFSET_LETTERS = "XxZz"


def java_pattern_parts(pattern: str) -> list[tuple[str, str]]:
    """A Java pattern as ``(kind, text)`` parts: ``("letters", "yyyy")`` or ``("literal", "-")``."""
    parts: list[tuple[str, str]] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            end = i + 1
            text = ""
            while end < len(pattern):
                if pattern[end] == "'" and end + 1 < len(pattern) and pattern[end + 1] == "'":
                    text += "'"
                    end += 2
                elif pattern[end] == "'":
                    break
                else:
                    text += pattern[end]
                    end += 1
            parts.append(("literal", text if end > i + 1 else "'"))
            i = end + 1
        elif char.isascii() and char.isalpha():
            end = i
            while end < len(pattern) and pattern[end] == char:
                end += 1
            parts.append(("letters", pattern[i:end]))
            i = end
        else:
            parts.append(("literal", char))
            i += 1
    return parts


def _code(letters: str, parsing: bool) -> str:
    """The strftime/strptime code of one run of pattern letters."""
    from streamduck.errors import DefinitionError

    letter, n = letters[0], len(letters)
    pad = "" if parsing else "-"
    codes = {
        "y": "%y" if n == 2 else "%Y",
        "u": "%y" if n == 2 else "%Y",
        "Y": "%y" if n == 2 else "%Y",
        "M": f"%{pad}m" if n == 1 else "%m" if n == 2 else "%b" if n == 3 else "%B",
        "L": f"%{pad}m" if n == 1 else "%m" if n == 2 else "%b" if n == 3 else "%B",
        "d": f"%{pad}d" if n == 1 else "%d",
        "D": f"%{pad}j" if n < 3 else "%j",
        "H": f"%{pad}H" if n == 1 else "%H",
        "k": f"%{pad}H" if n == 1 else "%H",
        "h": f"%{pad}I" if n == 1 else "%I",
        "K": f"%{pad}I" if n == 1 else "%I",
        "m": f"%{pad}M" if n == 1 else "%M",
        "s": f"%{pad}S" if n == 1 else "%S",
        "S": "%g" if n <= 3 else "%f" if n <= 6 else "%n",
        "n": "%n",
        "a": "%p",
        "E": "%a" if n <= 3 else "%A",
        "e": "%u",
        "w": "%V",
    }
    if letter not in codes:
        raise DefinitionError(f"Unknown pattern letter: {letter}")
    return codes[letter]


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _offset_sql(letters: str, local: str, utc: str) -> str:
    """SQL writing the zone offset of ``local`` (wall clock) against ``utc`` as Java's letters do."""
    minutes = f"CAST(datediff('minute', {utc}, {local}) AS INTEGER)"
    sign = f"CASE WHEN {minutes} < 0 THEN '-' ELSE '+' END"
    hh = f"lpad(CAST(abs({minutes}) // 60 AS VARCHAR), 2, '0')"
    mm = f"lpad(CAST(abs({minutes}) % 60 AS VARCHAR), 2, '0')"
    letter, n = letters[0], len(letters)
    if letter == "z":
        return f"CASE WHEN {minutes} = 0 THEN 'UTC' ELSE 'GMT' || {sign} || {hh} || ':' || {mm} END"
    if letter == "Z":
        return f"{sign} || {hh} || {mm}" if n < 4 else f"'GMT' || {sign} || {hh} || ':' || {mm}"
    text = {1: f"{sign} || {hh}", 2: f"{sign} || {hh} || {mm}"}.get(n, f"{sign} || {hh} || ':' || {mm}")
    if letter == "x":
        return text
    return f"CASE WHEN {minutes} = 0 THEN 'Z' ELSE {text} END"


def _format_sql(pattern: str, local: str, utc: str) -> str:
    """SQL writing the wall clock ``local`` (a TIMESTAMP) with a Java pattern."""
    pieces: list[str] = []
    chunk = ""
    for kind, text in java_pattern_parts(pattern):
        if kind == "letters" and text[0] in _OFFSET_LETTERS:
            if chunk:
                pieces.append(f"strftime({local}, {_quoted(chunk)})")
                chunk = ""
            pieces.append(f"({_offset_sql(text, local, utc)})")
        elif kind == "letters":
            chunk += _code(text, parsing=False)
        else:
            chunk += text.replace("%", "%%")
    if chunk or not pieces:
        pieces.append(f"strftime({local}, {_quoted(chunk)})")
    return " || ".join(pieces)


def parse_sql(text: str, pattern: str) -> tuple[str, bool]:
    """SQL reading ``text`` with a Java pattern; True when it names its own zone offset."""
    fmt = ""
    zoned = False
    for kind, part in java_pattern_parts(pattern):
        if kind == "letters" and part[0] in _OFFSET_LETTERS:
            fmt += "%z" if part[0] != "z" else "%Z"
            zoned = True
        elif kind == "letters":
            fmt += _code(part, parsing=True)
        else:
            fmt += part.replace("%", "%%")
    if zoned:
        # Java writes a zero offset as 'Z'; strptime's %z wants digits.
        text = f"regexp_replace({text}, 'Z$', '+00')"
    return f"try_strptime({text}, {_quoted(fmt)})", zoned


def _zone(args: list[exp.Expr], index: int, what: str) -> str:
    """The zone argument at ``index`` as SQL (``'UTC'`` when absent), checked when it is a literal."""
    from sqlglot import exp

    from streamduck.errors import DefinitionError

    if len(args) <= index:
        return "'UTC'"
    node = args[index]
    if isinstance(node, exp.Literal) and node.is_string:
        import duckdb

        try:
            probe = _in_zone("TIMESTAMP '2000-01-01'", _quoted(node.this))
            duckdb.sql(f"SELECT {probe}").fetchall()
        except duckdb.Error:
            raise DefinitionError(f"Unknown time-zone ID: {node.this}") from None
        return _quoted(node.this)
    return node.sql("duckdb")


def _in_zone(utc: str, zone: str) -> str:
    """The wall clock of ``zone`` at the instant ``utc`` (a zone-less TIMESTAMP read as UTC)."""
    return f"timezone({zone}, timezone('UTC', {utc}))"


def _from_zone(local: str, zone: str) -> str:
    """The instant (zone-less TIMESTAMP, UTC) of the wall clock ``local`` in ``zone``."""
    return f"timezone('UTC', timezone({zone}, {local}))"


def _formatter(kind: str) -> Builder:
    def build(args: list[exp.Expr]) -> exp.Expr:
        from streamduck.ksql.compile_functions import literal_text, sql_expr

        pattern = literal_text(args[1], f"the format of {kind}")
        value = args[0].sql("duckdb")
        utc = {
            "TIMESTAMPTOSTRING": f"make_timestamp(CAST({value} AS BIGINT) * 1000)",
            "FORMAT_TIMESTAMP": f"CAST({value} AS TIMESTAMP)",
            "FORMAT_DATE": f"CAST({value} AS TIMESTAMP)",
            "DATETOSTRING": f"CAST(DATE '1970-01-01' + CAST({value} AS INTEGER) AS TIMESTAMP)",
            "FORMAT_TIME": f"(DATE '1970-01-01' + CAST({value} AS TIME))",
        }[kind]
        zone = _zone(args, 2, kind) if kind in ("TIMESTAMPTOSTRING", "FORMAT_TIMESTAMP") else "'UTC'"
        local = utc if zone == "'UTC'" else _in_zone(utc, zone)
        return sql_expr(f"CASE WHEN {value} IS NOT NULL THEN {_format_sql(pattern, local, utc)} END")

    return build


def _parser(kind: str) -> Builder:
    def build(args: list[exp.Expr]) -> exp.Expr:
        from streamduck.ksql.compile_functions import literal_text, sql_expr

        pattern = literal_text(args[1], f"the format of {kind}")
        parsed, zoned = parse_sql(args[0].sql("duckdb"), pattern)
        if zoned:
            instant = f"timezone('UTC', {parsed})"
        else:
            zone = _zone(args, 2, kind) if kind in ("STRINGTOTIMESTAMP", "PARSE_TIMESTAMP") else "'UTC'"
            local = f"CAST({parsed} AS TIMESTAMP)"
            instant = local if zone == "'UTC'" else _from_zone(local, zone)
        return sql_expr(
            {
                "STRINGTOTIMESTAMP": f"epoch_ms({instant})",
                "PARSE_TIMESTAMP": instant,
                "PARSE_DATE": f"CAST({instant} AS DATE)",
                "STRINGTODATE": f"CAST(CAST({instant} AS DATE) - DATE '1970-01-01' AS INTEGER)",
                "PARSE_TIME": f"CAST({instant} AS TIME)",
            }[kind]
        )

    return build


def _convert_tz(args: list[exp.Expr]) -> exp.Expr:
    from streamduck.ksql.compile_functions import sql_expr

    source, target = _zone(args, 1, "CONVERT_TZ"), _zone(args, 2, "CONVERT_TZ")
    return sql_expr(f"timezone({target}, timezone({source}, CAST({{0}} AS TIMESTAMP)))", args[0])


def _time_add(sign: str) -> Builder:
    def build(args: list[exp.Expr]) -> exp.Expr:
        from streamduck.ksql.compile_functions import sql_expr

        unit = args[0].name.upper().rstrip("S")
        return sql_expr(
            f"CAST({{1}} {sign} to_{unit.lower()}s(CAST({{0}} AS BIGINT)) AS TIME)", args[1], args[2]
        )

    return build


DATETIME_FUNCTIONS: dict[str, Builder] = {
    **{name: _formatter(name) for name in ("TIMESTAMPTOSTRING", "FORMAT_TIMESTAMP", "FORMAT_DATE")},
    **{name: _formatter(name) for name in ("FORMAT_TIME", "DATETOSTRING")},
    **{name: _parser(name) for name in ("STRINGTOTIMESTAMP", "PARSE_TIMESTAMP", "PARSE_DATE")},
    **{name: _parser(name) for name in ("PARSE_TIME", "STRINGTODATE")},
    "CONVERT_TZ": _convert_tz,
    "TIMEADD": _time_add("+"),
    "TIMESUB": _time_add("-"),
}
