"""Splitting a file of ksqlDB statements and parsing each with the :mod:`~streamduck.ksql.dialect`.

Statements are separated with sqlglot's tokenizer (never by searching the text for ``;``), so a
semicolon inside a string or a quoted identifier does not end a statement. Each statement keeps its
text and its first line, which every later error names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamduck.errors import DefinitionError

if TYPE_CHECKING:
    from collections.abc import MutableMapping

    from sqlglot import exp
    from sqlglot.tokens import Token

__all__ = ["Statement", "parse_file", "parse_statement", "parse_text", "where"]


@dataclass(frozen=True)
class Statement:
    """One parsed statement and where it came from."""

    expression: exp.Expr
    text: str
    line: int
    path: Path | None = None

    @property
    def location(self) -> str:
        return where(self.path, self.line)


def where(path: Path | str | None, line: int) -> str:
    """``file:line`` (or ``line N`` for text that did not come from a file), for error messages."""
    return f"{path}:{line}" if path is not None else f"line {line}"


def parse_file(path: Path, types: MutableMapping[str, str] | None = None) -> list[Statement]:
    """Every statement in a ``.sql`` file (``types``: see :func:`parse_text`).

    Raises:
        DefinitionError: the file cannot be read or a statement does not parse (names file and line).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"{path}: cannot read ksqlDB statements: {exc}") from exc
    return parse_text(text, path, types)


def parse_text(
    text: str, path: Path | None = None, types: MutableMapping[str, str] | None = None
) -> list[Statement]:
    """Every statement in ``text``; ``path`` only labels errors.

    ``types``: the custom type aliases known so far (name -> type), updated by the text's
    ``CREATE TYPE``/``DROP TYPE``; a statement using an alias comes back with it expanded.
    """
    from sqlglot.errors import TokenError

    from streamduck.ksql.dialect import Ksql

    dialect = Ksql()
    try:
        tokens = dialect.tokenize(text)
    except TokenError as exc:
        raise DefinitionError(f"{where(path, 1)}: cannot tokenize: {exc}") from None
    aliases: MutableMapping[str, str] = {} if types is None else types
    return [_parse_chunk(dialect, chunk, text, path, aliases) for chunk in _split(tokens)]


def parse_statement(text: str) -> exp.Expr:
    """Parse exactly one statement (a command-line query, a test fixture)."""
    statements = parse_text(text)
    if len(statements) != 1:
        raise DefinitionError(f"expected one statement, found {len(statements)}")
    return statements[0].expression


def _split(tokens: list[Token]) -> list[list[Token]]:
    from sqlglot.tokens import TokenType

    chunks: list[list[Token]] = [[]]
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            chunks.append([])
        else:
            chunks[-1].append(token)
    return [chunk for chunk in chunks if chunk]


def _parse_chunk(
    dialect: Any, tokens: list[Token], text: str, path: Path | None, aliases: MutableMapping[str, str]
) -> Statement:
    """One statement: a type alias statement, or a statement with the aliases it uses expanded."""
    from streamduck.ksql.custom_types import expand, read_type_statement
    from streamduck.ksql.dialect import KsqlTypeStatement

    first, last = tokens[0], tokens[-1]
    try:
        read = read_type_statement(tokens, text, aliases)
    except DefinitionError as exc:
        raise DefinitionError(f"{where(path, first.line)}: {exc}") from None
    if read is not None:
        verb, name, type_text, flag = read
        node = KsqlTypeStatement(this=name, kind=verb, type=type_text, exists=flag)
        return Statement(expression=node, text=text[first.start : last.end + 1], line=first.line, path=path)
    written = text[first.start : last.end + 1]
    expanded = expand(tokens, written, aliases)
    if expanded == written:
        return _parse_tokens(dialect, tokens, text, path)
    # Parsed again with the aliases' types in place; the padding keeps line numbers for errors.
    padded = "\n" * (first.line - 1) + expanded
    return _parse_tokens(dialect, dialect.tokenize(padded), padded, path)


def _parse_tokens(dialect: Any, tokens: list[Token], text: str, path: Path | None) -> Statement:
    from sqlglot.errors import ParseError

    first, last = tokens[0], tokens[-1]
    # Comments before the first token belong to it; the statement starts at the token itself.
    statement_text = text[first.start : last.end + 1]
    try:
        expressions = dialect.parser(error_level=None).parse(tokens, text)
    except ParseError as exc:
        detail = exc.errors[0] if exc.errors else {}
        line = detail.get("line") or first.line
        message = detail.get("description") or str(exc)
        near = detail.get("highlight")
        near_text = f" near '{near}'" if near else ""
        raise DefinitionError(f"{where(path, line)}: syntax error{near_text}: {message}") from None
    expression = expressions[0]
    if expression is None:
        raise DefinitionError(f"{where(path, first.line)}: empty statement")
    return Statement(expression=expression, text=statement_text, line=first.line, path=path)
