"""A sqlglot dialect for ksqlDB: its statements around sqlglot's own SELECT parser.

Like sqlmesh's ``core/dialect.py``, this extends sqlglot instead of parsing SQL by hand. sqlglot
parses expressions and SELECT; this module adds ksqlDB's envelope and clauses:

* ``CREATE [OR REPLACE] [SOURCE] STREAM|TABLE [IF NOT EXISTS] name (cols) WITH (...) [AS SELECT ...]``
  with the column constraints ``KEY``, ``PRIMARY KEY``, ``HEADERS`` and ``HEADER('key')``;
* ``INSERT INTO name SELECT ...``, ``DROP STREAM|TABLE [IF EXISTS] name [DELETE TOPIC]``,
  ``SHOW|LIST STREAMS|TABLES|TOPICS``, ``DESCRIBE name``;
* in SELECT: ``WINDOW TUMBLING|HOPPING|SESSION (...)``, ``JOIN ... WITHIN ...``, ``PARTITION BY``,
  ``EMIT CHANGES|FINAL``, struct access ``a->b`` and lambdas ``x => ...``.

Identifiers are quoted with backticks (ksqlDB's quoting) or double quotes.
"""

# This module *is* the sqlglot extension, so it imports sqlglot at the top; nothing imports this
# module at the top level (parser.py and types.py import it inside functions), so CLI start-up and
# DAG parsing never pay for sqlglot.
# ruff: noqa: TID253
from __future__ import annotations

import typing as t

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.parser import Parser
from sqlglot.tokens import Tokenizer, TokenType

__all__ = [
    "Emit",
    "HeadersConstraint",
    "Ksql",
    "KsqlCreate",
    "KsqlTypeStatement",
    "KsqlDescribe",
    "KsqlDrop",
    "KsqlInsert",
    "KsqlShow",
    "KsqlWindow",
    "KsqlWithin",
    "StructField",
]

# Words that end a table reference in ksqlDB's grammar, so they are never read as an implicit alias.
_CLAUSE_WORDS = frozenset({"EMIT", "WITHIN", "WINDOW", "PARTITION", "GRACE"})


class KsqlCreate(exp.Expression):
    """``CREATE STREAM|TABLE``: a source (columns) or a derived object (``AS SELECT``)."""

    arg_types: t.ClassVar = {
        "this": True,  # Identifier
        "kind": True,  # "STREAM" | "TABLE"
        "replace": False,
        "exists": False,
        "source": False,  # CREATE SOURCE STREAM|TABLE (read-only)
        "columns": False,  # list[ColumnDef]
        "properties": False,  # list[Property]
        "query": False,  # Select
    }


class KsqlInsert(exp.Expression):
    """``INSERT INTO name SELECT ...`` or ``INSERT INTO name [(cols)] VALUES (...)``."""

    arg_types: t.ClassVar = {"this": True, "query": False, "columns": False, "values": False}


class KsqlDrop(exp.Expression):
    """``DROP STREAM|TABLE [IF EXISTS] name [DELETE TOPIC]``."""

    arg_types: t.ClassVar = {"this": True, "kind": True, "exists": False, "delete_topic": False}


class KsqlTypeStatement(exp.Expression):
    """``CREATE TYPE [IF NOT EXISTS] name AS type`` or ``DROP TYPE [IF EXISTS] name``
    (read by :mod:`streamduck.ksql.custom_types`, not by this parser)."""

    arg_types: t.ClassVar = {"this": True, "kind": True, "type": False, "exists": False}


class KsqlShow(exp.Expression):
    """``SHOW|LIST STREAMS|TABLES|TOPICS [EXTENDED]``."""

    arg_types: t.ClassVar = {"this": True, "extended": False}


class KsqlDescribe(exp.Expression):
    """``DESCRIBE name [EXTENDED]``."""

    arg_types: t.ClassVar = {"this": True, "extended": False}


class KsqlWindow(exp.Expression):
    """``WINDOW TUMBLING (SIZE ...)``, ``HOPPING (SIZE ..., ADVANCE BY ...)``, ``SESSION (...)``.

    ``size``/``advance``/``gap``/``grace``/``retention`` are :class:`exp.Interval` nodes.
    """

    arg_types: t.ClassVar = {
        "this": True,  # "TUMBLING" | "HOPPING" | "SESSION"
        "size": False,
        "advance": False,
        "gap": False,
        "grace": False,
        "retention": False,
    }


class KsqlWithin(exp.Expression):
    """A stream-stream join window: ``WITHIN 1 HOUR`` or ``WITHIN (1 HOUR, 2 HOURS)``."""

    arg_types: t.ClassVar = {"before": True, "after": True, "grace": False}


class HeadersConstraint(exp.Expression):
    """Column constraint ``HEADERS`` (all headers) or ``HEADER('key')`` (one header's bytes)."""

    arg_types: t.ClassVar = {"this": False}


class Emit(exp.Expression):
    """``EMIT CHANGES`` (a push query) or ``EMIT FINAL``."""

    arg_types: t.ClassVar = {"this": True}


class StructField(exp.Expression):
    """``struct->field``: a field of a STRUCT value."""

    arg_types: t.ClassVar = {"this": True, "expression": True}

    @property
    def field_name(self) -> str:
        return self.expression.name


def _lambda(parser: KsqlParser, params: list[exp.Expr]) -> exp.Lambda:
    body = parser._replace_lambda(parser._parse_disjunction(), params)
    return parser.expression(exp.Lambda(this=body, expressions=params))


class KsqlParser(Parser):
    """sqlglot's parser, with ksqlDB's statements and SELECT clauses."""

    STATEMENT_PARSERS: t.ClassVar = {
        **Parser.STATEMENT_PARSERS,
        TokenType.CREATE: lambda self: self._parse_ksql_create(),
        TokenType.DROP: lambda self: self._parse_ksql_drop(),
        TokenType.INSERT: lambda self: self._parse_ksql_insert(),
        TokenType.SHOW: lambda self: self._parse_ksql_show(),
        TokenType.LIST: lambda self: self._parse_ksql_show(),
        TokenType.DESCRIBE: lambda self: self._parse_ksql_describe(),
    }

    # Every function call stays an exp.Anonymous carrying the name as written: the compiler maps
    # ksqlDB's names itself (compile_functions.py), so sqlglot's own name mapping must not interfere.
    FUNCTIONS: t.ClassVar = {}
    # ... and so do these, which sqlglot would parse on its own into its own meanings.
    FUNCTION_PARSERS: t.ClassVar = {
        k: v for k, v in Parser.FUNCTION_PARSERS.items() if k not in ("CHR", "SUBSTRING", "INITCAP", "TRIM")
    }

    # ksqlDB's lambdas are ``x => ...`` only: ``->`` in a function's argument is struct access
    # (``IFNULL(s->a->b, 'x')``), not sqlglot's default ``x -> ...`` lambda.
    LAMBDAS: t.ClassVar = {TokenType.FARROW: _lambda}

    COLUMN_OPERATORS: t.ClassVar = {
        **Parser.COLUMN_OPERATORS,
        TokenType.ARROW: lambda self, this, field: self.expression(
            StructField(this=this, expression=exp.to_identifier(field.name, quoted=_quoted(field)))
        ),
    }

    QUERY_MODIFIER_PARSERS: t.ClassVar = {
        **Parser.QUERY_MODIFIER_PARSERS,
        TokenType.WINDOW: lambda self: ("ksql_window", self._advance() or self._parse_ksql_window()),
        TokenType.PARTITION_BY: lambda self: (
            "partition_by",
            self._advance() or self._parse_csv(self._parse_disjunction),
        ),
    }

    CONSTRAINT_PARSERS: t.ClassVar = {
        **Parser.CONSTRAINT_PARSERS,
        "KEY": lambda self: self.expression(exp.PrimaryKeyColumnConstraint(desc=exp.var("KEY"))),
        "HEADERS": lambda self: self.expression(HeadersConstraint()),
        "HEADER": lambda self: self.expression(
            HeadersConstraint(this=self._parse_wrapped(self._parse_string))
        ),
    }

    # --- SELECT clauses -------------------------------------------------------------------------

    def _parse_table_alias(
        self, alias_tokens: t.Collection[TokenType] | None = None
    ) -> exp.TableAlias | None:
        if self._curr and self._curr.text.upper() in _CLAUSE_WORDS:
            return None
        return super()._parse_table_alias(alias_tokens)

    def _parse_table(self, *args: t.Any, **kwargs: t.Any) -> exp.Expr | None:
        table = super()._parse_table(*args, **kwargs)
        if table is not None and self._match_text_seq("WITHIN"):
            table.set("within", self._parse_ksql_within())
        return table

    def _parse_query_modifiers(self, this: t.Any) -> t.Any:
        this = super()._parse_query_modifiers(this)
        if isinstance(this, exp.Select) and self._match_text_seq("EMIT"):
            if not self._match_texts(("CHANGES", "FINAL")):
                self.raise_error("Expecting CHANGES or FINAL after EMIT")
            this.set("emit", self.expression(Emit(this=self._prev.text.upper())))
        return this

    def _parse_ksql_interval(self) -> exp.Interval:
        number = self._parse_number()
        if number is None or not self._curr:
            self.raise_error("Expecting a duration such as '1 HOUR'")
        unit = self._curr.text.upper()
        self._advance()
        return self.expression(exp.Interval(this=number, unit=exp.var(unit)))

    def _parse_ksql_window(self) -> KsqlWindow:
        if not self._match_texts(("TUMBLING", "HOPPING", "SESSION")):
            self.raise_error("Expecting TUMBLING, HOPPING or SESSION after WINDOW")
        window = self.expression(KsqlWindow(this=self._prev.text.upper()))
        self._match_l_paren()
        while True:
            if self._match_text_seq("SIZE"):
                window.set("size", self._parse_ksql_interval())
            elif self._match_text_seq("ADVANCE", "BY"):
                window.set("advance", self._parse_ksql_interval())
            elif self._match_text_seq("RETENTION"):
                window.set("retention", self._parse_ksql_interval())
            elif self._match_text_seq("GRACE", "PERIOD"):
                window.set("grace", self._parse_ksql_interval())
            elif window.this == "SESSION" and not window.args.get("gap"):
                window.set("gap", self._parse_ksql_interval())
            else:
                self.raise_error("Unexpected token in WINDOW clause")
            if not self._match(TokenType.COMMA):
                break
        self._match_r_paren()
        return window

    def _parse_ksql_within(self) -> KsqlWithin:
        if self._match(TokenType.L_PAREN):
            before = self._parse_ksql_interval()
            self._match(TokenType.COMMA)
            after = self._parse_ksql_interval()
            self._match_r_paren()
        else:
            before = after = self._parse_ksql_interval()
        grace = self._parse_ksql_interval() if self._match_text_seq("GRACE", "PERIOD") else None
        return self.expression(KsqlWithin(before=before, after=after, grace=grace))

    # --- statements -----------------------------------------------------------------------------

    def _parse_ksql_kind(self) -> str:
        if not self._match_texts(("STREAM", "TABLE")):
            self.raise_error(f"Unsupported statement: {self._prev.text.upper()} {self._curr_text()}")
        return self._prev.text.upper()

    def _curr_text(self) -> str:
        return self._curr.text.upper() if self._curr else ""

    def _parse_ksql_create(self) -> KsqlCreate:
        replace = self._match_pair(TokenType.OR, TokenType.REPLACE)
        source = self._match_text_seq("SOURCE")
        kind = self._parse_ksql_kind()
        exists = self._match_text_seq("IF", "NOT", "EXISTS")
        create = self.expression(
            KsqlCreate(this=self._parse_id_var(any_token=False), kind=kind, replace=replace, exists=exists)
        )
        if create.this is None:
            self.raise_error(f"Expecting a name after CREATE {kind}")
        create.set("source", source)
        if self._match(TokenType.L_PAREN, advance=False):
            create.set("columns", self._parse_wrapped_csv(self._parse_field_def))
        if self._match(TokenType.WITH):
            create.set("properties", self._parse_wrapped_csv(self._parse_ksql_property))
        if self._match(TokenType.ALIAS):
            create.set("query", self._parse_select())
        return create

    def _parse_ksql_property(self) -> exp.Property:
        name = self._parse_id_var(any_token=True)
        self._match(TokenType.EQ)
        value = self._parse_primary() or self._parse_id_var(any_token=True)
        return self.expression(exp.Property(this=name, value=value))

    def _parse_ksql_drop(self) -> KsqlDrop:
        kind = self._parse_ksql_kind()
        exists = self._match_text_seq("IF", "EXISTS")
        drop = self.expression(KsqlDrop(this=self._parse_id_var(any_token=False), kind=kind, exists=exists))
        drop.set("delete_topic", self._match_text_seq("DELETE", "TOPIC"))
        return drop

    def _parse_ksql_insert(self) -> KsqlInsert:
        self._match(TokenType.INTO)
        insert = self.expression(KsqlInsert(this=self._parse_id_var(any_token=False)))
        if self._match(TokenType.L_PAREN, advance=False) and not self._next_is_select():
            insert.set("columns", self._parse_wrapped_csv(self._parse_id_var))
        if self._match(TokenType.VALUES):
            insert.set("values", self._parse_wrapped_csv(self._parse_disjunction))
        else:
            insert.set("query", self._parse_select())
        return insert

    def _next_is_select(self) -> bool:
        return bool(self._next and self._next.token_type == TokenType.SELECT)

    def _parse_ksql_show(self) -> KsqlShow:
        if not self._match_texts(("STREAMS", "TABLES", "TOPICS", "QUERIES", "PROPERTIES")):
            self.raise_error("Expecting STREAMS, TABLES or TOPICS after SHOW")
        what = self._prev.text.upper()
        return self.expression(KsqlShow(this=what, extended=self._match_text_seq("EXTENDED")))

    def _parse_ksql_describe(self) -> KsqlDescribe:
        name = self._parse_id_var(any_token=True)
        return self.expression(KsqlDescribe(this=name, extended=self._match_text_seq("EXTENDED")))


def _quoted(node: exp.Expr) -> bool:
    identifier = node.this if isinstance(node, exp.Column) else node
    return bool(isinstance(identifier, exp.Identifier) and identifier.quoted)


class Ksql(Dialect):
    """ksqlDB's SQL, as far as streamduck understands it."""

    # Arrays are 1-based in ksqlDB as in DuckDB: sqlglot must not shift indexes when transpiling.
    INDEX_OFFSET = 1
    # ksqlDB's lexer has DIGIT_IDENTIFIER: ``1R`` or ``2_cols`` name a column, as ``1e5`` and ``12``
    # stay numbers.
    IDENTIFIERS_CAN_START_WITH_DIGIT = True

    # ksqlDB upper-cases unquoted identifiers; we normalise names ourselves (see names.py), so the
    # parser keeps them as written.
    class Tokenizer(Tokenizer):
        IDENTIFIERS: t.ClassVar = ["`", '"']
        QUOTES: t.ClassVar = ["'"]
        STRING_ESCAPES: t.ClassVar = ["'"]
        COMMANDS: t.ClassVar = Tokenizer.COMMANDS - {TokenType.SHOW}
        KEYWORDS: t.ClassVar = {**Tokenizer.KEYWORDS, "STRING": TokenType.TEXT, "BYTES": TokenType.VARBINARY}

    Parser = KsqlParser
