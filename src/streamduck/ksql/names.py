"""ksqlDB's identifier rules and safe quoting for both ksqlDB and DuckDB text.

ksqlDB upper-cases unquoted identifiers (``my_stream`` is ``MY_STREAM``) and keeps quoted ones
(`` `my_stream` ``) verbatim. Every name that reaches DuckDB SQL goes through :func:`quote_sql`, so a
name holding quotes, semicolons or unicode cannot change the statement.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["PSEUDO_COLUMNS", "WINDOW_BOUNDS", "ksql_name", "quote_ksql", "quote_sql"]

PSEUDO_COLUMNS = ("ROWTIME", "ROWPARTITION", "ROWOFFSET")
"""Columns every source view carries besides its declared ones."""
WINDOW_BOUNDS = ("WINDOWSTART", "WINDOWEND")
"""Columns a windowed aggregation adds."""

_PLAIN = re.compile(r"[A-Z_][A-Z0-9_]*")


def ksql_name(identifier: Any) -> str:
    """The name ksqlDB gives a parsed identifier (sqlglot ``Identifier``/``Column``, or a str)."""
    from sqlglot import exp

    if isinstance(identifier, str):
        return identifier.upper()
    if isinstance(identifier, exp.Column):
        identifier = identifier.this
    if isinstance(identifier, exp.Identifier):
        return identifier.this if identifier.quoted else identifier.this.upper()
    return identifier.name.upper()


def quote_ksql(name: str) -> str:
    """``NAME`` as ksqlDB text: bare when upper-case and plain, else back-quoted."""
    if _PLAIN.fullmatch(name):
        return name
    return "`" + name.replace("`", "``") + "`"


def quote_sql(name: str) -> str:
    """``name`` as a DuckDB (standard SQL) quoted identifier."""
    return '"' + name.replace('"', '""') + '"'
