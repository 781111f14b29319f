"""Compiling a ksqlDB SELECT into DuckDB SQL over the warehouse views.

The input relations are named views (or any relation the caller registers) whose columns the caller
describes in ``schema``: ``{"FAKE_PEOPLE": [("ID", "VARCHAR"), ..., ("ROWTIME", "BIGINT"), ...]}``.
Steps, in order:

1. check the clauses ksqlDB allows (no ORDER BY, aggregates need GROUP BY, ...);
2. expand ``*`` to declared columns (pseudo-columns are never part of ``*``, as in ksqlDB);
3. translate ksqlDB nodes: ``a->b``, functions (compile_functions.py), CAST, windows, joins;
4. resolve every column with sqlglot's ``qualify`` (an unknown column is an error naming it);
5. fix operators whose meaning differs in DuckDB, using sqlglot's type annotation: INT / INT is
   integer division truncated towards zero, ``+`` on strings concatenates, casts to integers truncate;
6. name the outputs as ksqlDB does (aliases upper-cased, ``a->b`` named ``B``, others ``KSQL_COL_n``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from streamduck.errors import DefinitionError
from streamduck.ksql.names import PSEUDO_COLUMNS, WINDOW_BOUNDS, ksql_name

if TYPE_CHECKING:
    from sqlglot import exp

__all__ = ["CompiledQuery", "compile_select"]

Schema = Mapping[str, Sequence[tuple[str, str]]]


@dataclass(frozen=True)
class CompiledQuery:
    """DuckDB SQL for a ksqlDB SELECT, and what ksqlDB would say about its result."""

    sql: str
    kind: str
    """``STREAM`` (every row) or ``TABLE`` (one row per key: GROUP BY, or a table source)."""
    key_columns: tuple[str, ...] = ()
    windowed: bool = False
    emit: str | None = None
    """``CHANGES`` for a push query, ``FINAL``, or None."""
    sources: tuple[str, ...] = field(default=())
    """Relations the query reads, by ksqlDB name."""
    limit: int | None = None


def compile_select(
    select: exp.Expr | str,
    schema: Schema,
    kinds: Mapping[str, str] | None = None,
    *,
    carry_pseudo_columns: bool = False,
    keys: Mapping[str, Sequence[str]] | None = None,
    target: str | None = None,
    histories: Mapping[str, str] | None = None,
    statement_kind: str | None = None,
) -> CompiledQuery:
    """Compile a ksqlDB SELECT (AST or text) into DuckDB SQL over the relations in ``schema``.

    Args:
        select: the parsed SELECT (from :mod:`streamduck.ksql.parser`) or its text.
        schema: every relation the query may read: name -> [(column, DuckDB type)].
        kinds: relation name -> ``STREAM`` | ``TABLE`` (default STREAM).
        carry_pseudo_columns: also output ROWTIME, ROWPARTITION, ROWOFFSET of the (first) source
            when the query does not aggregate, so a view built from it is a stream like its source.
        keys: relation name -> its key columns, for the join rules that depend on them.
        target: the name of the object the query builds (``CREATE ... AS``), for its messages.
        histories: TABLE relation name -> SELECT of every version its rows had, so an
            aggregation over it keeps the groups it emptied (see compile_retractions.py).
        statement_kind: ``STREAM`` | ``TABLE`` for ``CREATE ... AS SELECT``, for its messages.

    Raises:
        DefinitionError: the query uses something ksqlDB rejects or streamduck does not support;
            the message names the construct (the caller prefixes file and line).
    """
    from streamduck.ksql.compile_query import QueryCompiler

    if isinstance(select, str):
        from streamduck.ksql.parser import parse_statement

        select = parse_statement(select)
    upper_schema = {name.upper(): list(columns) for name, columns in schema.items()}
    upper_kinds = {name.upper(): kind for name, kind in (kinds or {}).items()}
    upper_keys = {name.upper(): list(columns) for name, columns in (keys or {}).items()}
    compiler = QueryCompiler(
        upper_schema, upper_kinds, carry_pseudo_columns, upper_keys, target, statement_kind
    )
    compiler.histories = {name.upper(): sql for name, sql in (histories or {}).items()}
    return compiler.compile(select)


def output_name(node: exp.Expr, generated: list[int]) -> str:
    """The column name ksqlDB gives a projection (``KSQL_COL_n`` counts unnamed expressions)."""
    from sqlglot import exp

    from streamduck.ksql.dialect import StructField

    if isinstance(node, exp.Alias):
        return ksql_name(node.args["alias"])
    if isinstance(node, exp.Column):
        return ksql_name(node.this)
    if isinstance(node, StructField):
        return ksql_name(node.expression)
    name = f"KSQL_COL_{generated[0]}"
    generated[0] += 1
    return name


def is_reserved(name: str) -> bool:
    """Pseudo-columns and window bounds: never part of ``*``."""
    return name in PSEUDO_COLUMNS or name in WINDOW_BOUNDS


def unsupported(construct: str, why: str = "") -> DefinitionError:
    return DefinitionError(f"{construct} is not supported" + (f": {why}" if why else ""))
