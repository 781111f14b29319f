"""Quoting for everything user-named that ends up in SQL text: identifiers, strings, JSON pointers.

Stream names, column names and topic names come from users' files and from Kafka; any of them may
hold quotes, semicolons or unicode. They are only ever placed in SQL through these functions, which
double the quote characters, so a name can never end its literal early and inject SQL.
"""

from __future__ import annotations

from streamduck.errors import DefinitionError

__all__ = ["json_pointer", "quote_ident", "quote_string", "qualified"]


def _reject_nul(text: str, what: str) -> str:
    # DuckDB cuts strings at NUL in some code paths; refuse rather than silently truncate a name.
    if "\x00" in text:
        raise DefinitionError(f"{what} {text!r} contains a NUL character")
    return text


def quote_ident(name: str) -> str:
    """``name`` as a double-quoted SQL identifier (``a"b`` → ``"a""b"``)."""
    return '"' + _reject_nul(name, "identifier").replace('"', '""') + '"'


def quote_string(text: str) -> str:
    """``text`` as a single-quoted SQL string literal (``it's`` → ``'it''s'``)."""
    return "'" + _reject_nul(text, "string").replace("'", "''") + "'"


def qualified(schema: str, name: str) -> str:
    """``schema.name`` with both parts quoted."""
    return f"{quote_ident(schema)}.{quote_ident(name)}"


def json_pointer(field: str) -> str:
    """An RFC 6901 JSON pointer to a top-level field, as a SQL string literal.

    Pointers escape only ``~`` and ``/``, so fields named ``$x``, ``a.b`` or ``a"b`` need no
    JSONPath quoting rules.
    """
    return quote_string("/" + field.replace("~", "~0").replace("/", "~1"))
