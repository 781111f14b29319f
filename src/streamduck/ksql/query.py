"""``streamduck sql``: queries over the warehouse, in ksqlDB's or DuckDB's SQL.

A query that parses and compiles as ksqlDB SQL runs with ksqlDB's semantics (``*`` without the
pseudo-columns, integer division, 1-based arrays, ksqlDB's functions); anything else is handed to
DuckDB as written, so every DuckDB feature stays available. ``SELECT ... EMIT CHANGES`` is a push
query: it polls the warehouse and yields rows as loaders land them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from streamduck.errors import ConfigError, DefinitionError, QueryFailed
from streamduck.ksql.names import PSEUDO_COLUMNS
from streamduck.warehouse.waits import WAITS

if TYPE_CHECKING:
    import duckdb
    from sqlglot import exp

    from streamduck.ksql.compile import CompiledQuery
    from streamduck.ksql.parser import Statement
    from streamduck.settings import Settings

__all__ = [
    "ParsedQuery",
    "QueryResult",
    "compile_for_warehouse",
    "parse_query",
    "push_query",
    "query_connection",
    "run_query",
]


@dataclass(frozen=True)
class QueryResult:
    """Column names in order, and the rows as mappings."""

    columns: list[str]
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class ParsedQuery:
    """A query's text and its ksqlDB parse, made once: every step below reads this one parse."""

    text: str
    statements: list[Statement] | None
    """The ksqlDB parse; None when ``text`` is not ksqlDB SQL (DuckDB SQL, run as it is)."""

    @property
    def expression(self) -> exp.Expr | None:
        """The statement's expression when there is exactly one."""
        return self.statements[0].expression if self.statements and len(self.statements) == 1 else None

    @property
    def is_push(self) -> bool:
        """A ``SELECT ... EMIT CHANGES``."""
        from sqlglot import exp

        node = self.expression
        return isinstance(node, exp.Select) and bool(node.args.get("emit"))

    def select(self) -> exp.Select | None:
        """A copy of the SELECT (compiling changes the tree), or None when it is not one."""
        from sqlglot import exp

        node = self.expression
        return node.copy() if isinstance(node, exp.Select) else None


def parse_query(text: str | ParsedQuery) -> ParsedQuery:
    """Parse ``text`` once (a ParsedQuery passes through)."""
    if isinstance(text, ParsedQuery):
        return text
    from streamduck.ksql.parser import parse_text

    try:
        return ParsedQuery(text, parse_text(text))
    except DefinitionError:
        return ParsedQuery(text, None)


def _open(settings: Settings) -> duckdb.DuckDBPyConnection:
    if not settings.backend.exists():
        raise ConfigError(
            f"warehouse {settings.backend.location} does not exist yet (run `ksql apply` or `load` first)"
        )
    return settings.backend.connect(read_only=True, wait_s=WAITS.read)


def compile_for_warehouse(
    con: duckdb.DuckDBPyConnection, text: str | ParsedQuery, *, drop_limit: bool = False
) -> CompiledQuery | None:
    """The ksqlDB compilation of ``text``, or None when it is not a ksqlDB SELECT (so: DuckDB SQL).

    ``drop_limit``: compile without LIMIT (a push query counts its LIMIT over new rows itself).
    """
    from streamduck.ksql import catalog
    from streamduck.ksql.compile import compile_select

    select = parse_query(text).select()
    if select is None:
        return None
    if drop_limit:
        select.set("limit", None)
    # ksqlDB has no ORDER BY; a query here may sort its result, which must not change the columns.
    order, limit = select.args.pop("order", None), select.args.get("limit")
    if order is not None:
        select.set("limit", None)
    entries = catalog.entries(con)
    kinds = {e.name: e.kind for e in entries}
    try:
        compiled = compile_select(
            select, catalog.relation_schema(con), kinds, carry_pseudo_columns=True,
            keys={e.name: e.key_columns for e in entries},
        )  # fmt: skip
        return compiled if order is None else _sorted(compiled, order, limit)
    except DefinitionError:
        if select.args.get("emit") is not None:
            raise  # a push query is ksqlDB SQL by definition: show ksqlDB's error
        return None


def _sorted(compiled: CompiledQuery, order: exp.Expr, limit: exp.Expr | None) -> CompiledQuery:
    """The compiled query's rows sorted by output columns (names resolved as ksqlDB names them)."""
    import dataclasses

    from sqlglot import exp

    from streamduck.ksql.names import ksql_name

    by_name = order.copy().transform(
        lambda n: exp.column(ksql_name(n.this), quoted=True) if isinstance(n, exp.Column) else n
    )
    sql = f"SELECT * FROM ({compiled.sql}) {by_name.sql('duckdb')}"
    if limit is not None:
        sql += f" {limit.sql('duckdb')}"
    return dataclasses.replace(compiled, sql=sql)


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, path: str) -> QueryResult:
    import duckdb

    from streamduck.ksql.compile_types import explain_duckdb_error
    from streamduck.warehouse.failures import translated

    try:
        cursor = con.execute(sql)
    except duckdb.Error as exc:
        damaged = translated(exc, path)  # a corrupt block, met only when the query reads it
        if damaged is not None:
            raise damaged from None
        raise QueryFailed(f"query failed: {explain_duckdb_error(str(exc).strip())}") from None
    columns = [d[0] for d in cursor.description or []]
    return QueryResult(columns, [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()])


def _visible(result: QueryResult, compiled: CompiledQuery | None, requested: set[str]) -> QueryResult:
    """Hide the pseudo-columns the compiler carried along for bookkeeping (not asked for)."""
    if compiled is None:
        return result
    hidden = {c for c in PSEUDO_COLUMNS if c not in requested}
    columns = [c for c in result.columns if c not in hidden]
    return QueryResult(columns, [{c: row[c] for c in columns} for row in result.rows])


def _requested(query: ParsedQuery) -> set[str]:
    """Output names the query itself projects (so carried pseudo-columns can be told apart)."""
    node = query.expression
    return {p.alias_or_name.upper() for p in node.expressions} if node is not None else set()


def run_query(settings: Settings, text: str | ParsedQuery) -> QueryResult:
    """Run one query on a read-only connection and return every row.

    ``SHOW STREAMS|TABLES|TOPICS`` and ``DESCRIBE name`` answer from the catalog (and the broker).

    Raises:
        ConfigError: ``text`` holds no statement, or more than one.
    """
    query = parse_query(text)
    _require_one_statement(query)
    listing = _catalog_statement(settings, query)
    if listing is not None:
        return listing
    con = _open(settings)
    try:
        return query_connection(con, query, settings.backend.location)
    finally:
        con.close()


def query_connection(con: duckdb.DuckDBPyConnection, text: str | ParsedQuery, path: str) -> QueryResult:
    """One query over an open warehouse connection (``path`` names the file in errors)."""
    query = parse_query(text)
    compiled = compile_for_warehouse(con, query)
    result = _fetch(con, compiled.sql if compiled else query.text, path)
    return _visible(result, compiled, _requested(query) if compiled else set())


def _require_one_statement(query: ParsedQuery) -> None:
    """Refuse empty input and several statements (DuckDB would run them all and show the last)."""
    import duckdb

    from streamduck.errors import ConfigError

    try:
        count = len(duckdb.extract_statements(query.text))
    except duckdb.Error:  # ksqlDB syntax DuckDB does not parse (EMIT CHANGES): count with our parser
        if query.statements is None:
            return  # the query itself reports what is wrong with it
        count = len(query.statements)
    if count == 0:
        raise ConfigError('sql: the query is empty; give one statement, e.g. streamduck sql "SHOW STREAMS"')
    if count > 1:
        raise ConfigError(f"sql: got {count} statements; give one statement per call")


def _catalog_statement(settings: Settings, query: ParsedQuery) -> QueryResult | None:
    from streamduck.ksql.dialect import KsqlDescribe, KsqlShow

    node = query.expression
    if isinstance(node, KsqlShow):
        return _show(settings, node.this)
    if isinstance(node, KsqlDescribe):
        from streamduck.ksql.inspect import describe_definition
        from streamduck.ksql.names import ksql_name

        _, columns = describe_definition(settings, ksql_name(node.this))
        return QueryResult(["column", "type", "role"], columns)
    return None


def _show(settings: Settings, what: str) -> QueryResult:
    if what == "TOPICS":
        from streamduck.kafka.admin import list_topics

        return QueryResult(["topic"], [{"topic": name} for name in list_topics(settings)])
    if what not in ("STREAMS", "TABLES"):
        raise DefinitionError(f"SHOW {what} is not supported (SHOW STREAMS, TABLES and TOPICS are)")
    from streamduck.ksql.inspect import list_definitions

    kind = what.removesuffix("S")
    rows = [r for r in list_definitions(settings) if r["kind"] == kind]
    return QueryResult(["name", "kind", "origin", "topic", "key", "file"], rows)


def push_query(
    settings: Settings,
    text: str | ParsedQuery,
    *,
    from_beginning: bool = False,
    poll_s: float = 1.0,
    should_stop: Callable[[], bool] = lambda: False,
    on_started: Callable[[], None] = lambda: None,
) -> Iterator[QueryResult]:
    """Yield new rows of a ``SELECT ... EMIT CHANGES`` as they land, until ``should_stop()``.

    Streams: rows past the last (ROWPARTITION, ROWOFFSET) seen per partition. Tables: rows that
    are new or changed since the previous poll. Starts at the current end unless ``from_beginning``;
    ``on_started()`` is called once that starting point is read: rows landing later are yielded.
    Like ksqlDB's, a push query with ``LIMIT n`` ends after yielding ``n`` rows.
    """
    query = parse_query(text)
    _require_one_statement(query)
    remaining = push_limit(query)
    con = _open(settings)
    try:
        compiled = compile_for_warehouse(con, query, drop_limit=True)
        if compiled is None:
            raise DefinitionError("EMIT CHANGES needs a ksqlDB SELECT over streams or tables")
        requested = _requested(query)
    finally:
        con.close()
    seen: dict[int, int] = {}
    previous: set[str] = set()
    first = True
    while not should_stop():
        con = _open(settings)
        try:
            result = _fetch(con, compiled.sql, settings.backend.location)
        finally:
            con.close()
        fresh = _new_rows(result, compiled, seen, previous)
        if first:
            on_started()
        if fresh and (from_beginning or not first):
            if remaining is not None:
                fresh = fresh[:remaining]
                remaining -= len(fresh)
            yield _visible(QueryResult(result.columns, fresh), compiled, requested)
            if remaining == 0:
                return
        first = False
        time.sleep(poll_s)


def push_limit(text: str | ParsedQuery) -> int | None:
    """The ``LIMIT n`` of a push query, or None."""
    node = parse_query(text).expression
    limit = node.args.get("limit") if node is not None else None
    return int(limit.expression.name) if limit is not None and limit.expression is not None else None


def _new_rows(
    result: QueryResult, compiled: CompiledQuery, seen: dict[int, int], previous: set[str]
) -> list[dict[str, Any]]:
    if compiled.kind == "STREAM" and "ROWOFFSET" in result.columns:
        fresh = [r for r in result.rows if r["ROWOFFSET"] > seen.get(r["ROWPARTITION"], -1)]
        for row in fresh:
            seen[row["ROWPARTITION"]] = max(seen.get(row["ROWPARTITION"], -1), row["ROWOFFSET"])
        return fresh
    current = {repr(tuple(r.values())): r for r in result.rows}
    fresh = [row for key, row in current.items() if key not in previous]
    previous.clear()
    previous.update(current)
    return fresh
