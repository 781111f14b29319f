"""``CREATE TYPE name AS type`` / ``DROP TYPE name``: ksqlDB's aliases for (complex) types.

An alias is expanded where a statement is read, before it is parsed: ``address ADDRESS`` becomes
``address STRUCT<...>`` in the statement's text. The catalog, the loader and every later reader
then see only built-in types, and a later ``DROP TYPE`` or redefinition does not change what was
created with it (as in ksqlDB, where the alias is resolved when the statement runs).

Aliases live in the warehouse (``_streamduck.custom_types``) so that later ``ksql apply`` runs can
use them; within one run, a file's ``CREATE TYPE`` applies to the statements after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamduck.errors import DefinitionError

if TYPE_CHECKING:
    from collections.abc import MutableMapping

    import duckdb
    from sqlglot.tokens import Token

__all__ = ["drop", "expand", "read_type_statement", "register", "registered"]

_TABLE = "_streamduck.custom_types"


def registered(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The aliases a warehouse holds: name -> type text."""
    rows = con.execute(f"SELECT name, type FROM {_TABLE} ORDER BY name").fetchall()
    return {name: type_text for name, type_text in rows}


def register(con: duckdb.DuckDBPyConnection, name: str, type_text: str, if_not_exists: bool) -> str:
    """Record an alias; returns the outcome (``created`` or ``unchanged``).

    Raises:
        DefinitionError: the name is an alias of another type already.
    """
    current = con.execute(f"SELECT type FROM {_TABLE} WHERE name = ?", [name]).fetchone()
    if current is not None:
        if current[0] == type_text or if_not_exists:
            return "unchanged"
        raise DefinitionError(
            f"Cannot register custom type '{name}' since it is already registered with type: {current[0]}"
        )
    con.execute(f"INSERT INTO {_TABLE} (name, type) VALUES (?, ?)", [name, type_text])
    return "created"


def drop(con: duckdb.DuckDBPyConnection, name: str, if_exists: bool) -> str:
    """Forget an alias; returns the outcome (``dropped`` or ``unchanged``)."""
    current = con.execute(f"SELECT type FROM {_TABLE} WHERE name = ?", [name]).fetchone()
    if current is None:
        if if_exists:
            return "unchanged"
        raise DefinitionError(f"Type {name} does not exist.")
    con.execute(f"DELETE FROM {_TABLE} WHERE name = ?", [name])
    return "dropped"


def read_type_statement(
    tokens: list[Token], text: str, aliases: MutableMapping[str, str]
) -> tuple[str, str, str | None, bool] | None:
    """``CREATE TYPE [IF NOT EXISTS] name AS type`` or ``DROP TYPE [IF EXISTS] name``.

    Returns (``CREATE``|``DROP``, name, type text or None, the IF [NOT] EXISTS flag), after
    updating ``aliases`` so the statements after it see the change; None for other statements.
    """
    from streamduck.ksql.types import UnsupportedType, canonical_type, parse_type

    words = [t.text.upper() for t in tokens[:5]]
    if words[:2] not in (["CREATE", "TYPE"], ["DROP", "TYPE"]):
        return None
    verb = words[0]
    flag = words[2:4] == ["IF", "EXISTS"] if verb == "DROP" else words[2:5] == ["IF", "NOT", "EXISTS"]
    rest = tokens[2 + (2 if verb == "DROP" and flag else 3 if flag else 0) :]
    if not rest:
        raise DefinitionError(f"Expecting a name after {verb} TYPE")
    name = rest[0].text if rest[0].token_type.name == "IDENTIFIER" else rest[0].text.upper()
    if verb == "DROP":
        if len(rest) > 1:
            raise DefinitionError(f"Syntax error near '{rest[1].text}': DROP TYPE takes a name only")
        aliases.pop(name, None)
        return verb, name, None, flag
    if len(rest) < 3 or rest[1].text.upper() != "AS":
        raise DefinitionError(f"CREATE TYPE {name} needs AS and a type")
    written = expand(rest[2:], text[rest[2].start : rest[-1].end + 1], aliases, top_level=True)
    try:
        type_text = canonical_type(parse_type(written))
    except UnsupportedType as exc:
        raise DefinitionError(f"CREATE TYPE {name}: {exc}") from None
    if aliases.get(name, type_text) != type_text and not flag:
        raise DefinitionError(
            f"Cannot register custom type '{name}' since it is already registered with type: {aliases[name]}"
        )
    aliases.setdefault(name, type_text)
    return verb, name, type_text, flag


def expand(tokens: list[Token], text: str, aliases: MutableMapping[str, str], top_level: bool = False) -> str:
    """``text`` (whose tokens are ``tokens``, positions relative to the first) with every alias
    in a type position replaced by its type; the text itself when none is used.

    Type positions: after a column or struct field name (``a ADDRESS``), inside ``ARRAY<...>`` and
    ``MAP<..., ...>``, after ``AS`` in ``CAST(... AS ...)``; ``top_level`` also takes the first
    token (the type of ``CREATE TYPE``).
    """
    if not aliases or not tokens:
        return text
    offset = tokens[0].start
    replacements: list[tuple[int, int, str]] = []
    stack: list[str] = []  # what each open bracket holds: columns, struct, array, map, cast, other
    is_create = tokens[0].text.upper() == "CREATE"
    for i, token in enumerate(tokens):
        word = token.text.upper()
        previous = tokens[i - 1].text.upper() if i else ""
        before = tokens[i - 2].text.upper() if i > 1 else ""
        if (
            _in_type_position(stack, previous, before, i == 0 and top_level)
            and token.token_type.name == "VAR"
        ):
            alias = aliases.get(word)
            if alias is not None:
                replacements.append((token.start - offset, token.end - offset + 1, alias))
        if word == "(":
            opens_columns = (
                is_create and not stack and not any(t.text.upper() in ("WITH", "AS") for t in tokens[:i])
            )
            stack.append("columns" if opens_columns else "cast" if previous == "CAST" else "other")
        elif word == "<" and previous in ("STRUCT", "ARRAY", "MAP"):
            stack.append(previous.lower())
        elif word in (")", ">") and stack:
            stack.pop()
        elif word == ">>":
            del stack[-2:]
    for start, end, alias in reversed(replacements):
        text = text[:start] + alias + text[end:]
    return text


def _in_type_position(stack: list[str], previous: str, before: str, first: bool) -> bool:
    if first:
        return True
    if not stack:
        return False
    inside = stack[-1]
    if inside in ("columns", "struct"):  # name TYPE, right after an opening bracket or a comma
        return before in ("(", "<", ",") and previous not in ("(", "<", ",")
    if inside == "array":
        return previous == "<"
    if inside == "map":
        return previous in ("<", ",")
    return inside == "cast" and previous == "AS"
