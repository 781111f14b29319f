"""Running one ksqlDB statement against the warehouse, inside the caller's transaction.

``CREATE`` of a source registers it and creates its raw table and typed view (the loader's
:func:`~streamduck.warehouse.layout.apply_source`); ``CREATE ... AS SELECT`` compiles the query to a
DuckDB view; ``INSERT INTO derived SELECT`` extends that view with ``UNION ALL``; ``DROP`` removes
the view and the catalog entry (loaded rows stay in ``raw``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from streamduck.errors import DefinitionError
from streamduck.kafka.names import topic_name_problem
from streamduck.ksql import catalog
from streamduck.ksql.names import ksql_name, quote_sql

if TYPE_CHECKING:
    from collections.abc import Sequence

    import duckdb
    from sqlglot import exp

    from streamduck.ksql.compile import CompiledQuery
    from streamduck.ksql.insert_values import PendingRecord
    from streamduck.ksql.parser import Statement

__all__ = ["Outcome", "execute"]


@dataclass(frozen=True)
class Outcome:
    """What one statement did: ``created``, ``replaced``, ``unchanged``, ``dropped``, ``skipped``."""

    action: str
    kind: str
    name: str
    location: str
    topic: str | None = None
    delete_topic: bool = False
    record: PendingRecord | None = None
    """INSERT ... VALUES: the record to produce to ``topic``."""


def execute(con: duckdb.DuckDBPyConnection, statement: Statement) -> Outcome:
    """Apply one statement; errors name the statement's file, line and construct."""
    from streamduck.ksql.dialect import KsqlCreate, KsqlDrop, KsqlInsert, KsqlTypeStatement

    node = statement.expression
    try:
        if isinstance(node, KsqlTypeStatement):
            return _type_statement(con, statement)
        if isinstance(node, KsqlCreate):
            if node.args.get("query") is None:
                return _create_source(con, statement)
            return _create_derived(con, statement)
        if isinstance(node, KsqlDrop):
            return _drop(con, statement)
        if isinstance(node, KsqlInsert):
            return _insert(con, statement)
    except DefinitionError as exc:
        message = str(exc)
        if not message.startswith(statement.location):
            message = f"{statement.location}: {_construct(node)}: {message}"
        raise DefinitionError(message) from None
    return Outcome("skipped", node.key.upper(), "", statement.location)


def _construct(node: object) -> str:
    kind = getattr(node, "args", {}).get("kind", "")
    verb = type(node).__name__.removeprefix("Ksql").upper()
    this = getattr(node, "this", None)
    name = ksql_name(this) if this is not None else ""
    return " ".join(part for part in (verb, kind, name) if part)


def _existing(con: duckdb.DuckDBPyConnection, statement: Statement, name: str, kind: str) -> str | None:
    """``unchanged`` / ``replaced`` / None (new); raises when it exists and may not be replaced."""
    node = statement.expression
    current = catalog.entry(con, name)
    if current is None:
        return None
    if current.statement == statement.text:
        return "unchanged"  # re-applying the same file is a no-op
    if node.args.get("exists"):
        return "unchanged"
    if current.kind != kind:
        raise DefinitionError(
            f"Cannot add {kind.lower()} '{name}': A {current.kind.lower()} with the same name already exists"
        )
    if not node.args.get("replace"):
        raise DefinitionError(
            f"Cannot add {kind.lower()} '{name}': A {kind.lower()} with the same name already exists "
            f"(defined at {current.file}:{current.line}; use CREATE OR REPLACE)"
        )
    return "replaced"


def _type_statement(con: duckdb.DuckDBPyConnection, statement: Statement) -> Outcome:
    """``CREATE TYPE`` / ``DROP TYPE``: the warehouse's alias list (the parser already expanded
    the aliases in the statements that use them)."""
    from streamduck.ksql import custom_types

    node = statement.expression
    name, exists = node.this, bool(node.args.get("exists"))
    if node.args["kind"] == "DROP":
        action = custom_types.drop(con, name, exists)
    else:
        action = custom_types.register(con, name, node.args["type"], exists)
    return Outcome(action, "TYPE", name, statement.location)


def _create_source(con: duckdb.DuckDBPyConnection, statement: Statement) -> Outcome:
    from streamduck.ksql.sources import definition_from
    from streamduck.warehouse.layout import apply_source

    definition = definition_from(statement)
    state = _existing(con, statement, definition.name, definition.kind)
    if state == "unchanged":
        return Outcome("unchanged", definition.kind, definition.name, statement.location, definition.topic)
    apply_source(con, definition)  # a changed definition re-types the loaded records, in this transaction
    columns = [{"name": c.name, "type": c.type, "role": c.role} for c in definition.columns]
    catalog.upsert(
        con,
        catalog.CatalogEntry(
            definition.name,
            definition.kind,
            definition.topic,
            "source",
            statement.text,
            str(statement.path) if statement.path else None,
            statement.line,
            columns,
            [c.name for c in definition.key_columns],
            [],
            None,
        ),
    )
    return Outcome(state or "created", definition.kind, definition.name, statement.location, definition.topic)


def _create_derived(con: duckdb.DuckDBPyConnection, statement: Statement) -> Outcome:
    from streamduck.ksql.compile import compile_select
    from streamduck.ksql.sources import properties_of

    node = statement.expression
    kind, name = node.args["kind"], ksql_name(node.this)
    if node.args.get("columns"):
        raise DefinitionError("a CREATE ... AS SELECT cannot also declare columns")
    props = properties_of(node, DefinitionError)
    state = _existing(con, statement, name, kind)
    if state == "unchanged":
        return Outcome("unchanged", kind, name, statement.location)
    entries = catalog.entries(con)
    compiled = compile_select(
        node.args["query"], catalog.relation_schema(con), {e.name: e.kind for e in entries},
        carry_pseudo_columns=True, keys={e.name: e.key_columns for e in entries}, target=name,
        histories=catalog.table_histories(entries),
        statement_kind=kind,
    )  # fmt: skip
    if compiled.kind != kind:
        raise DefinitionError(
            f"Invalid result type. Your SELECT query produces a {compiled.kind}. "
            f"Please use CREATE {compiled.kind} AS SELECT statement instead."
        )
    try:
        con.execute(f"CREATE OR REPLACE VIEW main.{quote_sql(name)} AS {compiled.sql}")
        columns = catalog.view_columns(con, name)
    except Exception as exc:  # DuckDB's binder has the last word on types
        raise DefinitionError(_first_line(exc, "the query does not compile in DuckDB: ")) from None
    _check_derived_formats(node.args["query"], props, compiled, columns, entries)
    topic = str(props.get("KAFKA_TOPIC") or name)
    problem = topic_name_problem(topic)
    if problem is not None:  # checked before the catalog names it: a transform would fail on it
        raise DefinitionError(
            f"{'KAFKA_TOPIC' if 'KAFKA_TOPIC' in props else 'the default topic (the name)'}: {problem}"
        )
    catalog.upsert(
        con,
        catalog.CatalogEntry(
            name,
            kind,
            topic,
            "derived",
            statement.text,
            str(statement.path) if statement.path else None,
            statement.line,
            columns,
            list(compiled.key_columns),
            list(compiled.sources),
            compiled.sql,
        ),
    )
    return Outcome(state or "created", kind, name, statement.location, topic)


def _check_derived_formats(
    query: exp.Expr,
    props: dict[str, object],
    compiled: CompiledQuery,
    columns: list[dict[str, str]],
    entries: list[catalog.CatalogEntry],
) -> None:
    """The result's key and value columns must fit its formats, with ksqlDB's words.

    The formats are the statement's (``KEY_FORMAT``/``VALUE_FORMAT``/``FORMAT``), else those of its
    first source: KAFKA keys hold one primitive column (``GROUP BY a, b`` over a KAFKA-keyed source
    is rejected), DELIMITED holds no nested types, ``WRAP_SINGLE_VALUE`` needs one value column.
    """
    from streamduck.ksql.model import Column
    from streamduck.ksql.names import PSEUDO_COLUMNS, WINDOW_BOUNDS
    from streamduck.ksql.sources import check_key_schema, check_value_schema
    from streamduck.ksql.types import ksql_type_from_duckdb

    by_name = {e.name: e for e in entries}
    first = compiled.sources[0] if compiled.sources else None
    key_format = str(
        props.get("KEY_FORMAT") or props.get("FORMAT") or _format_of(first, by_name, "KEY_FORMAT")
    )
    value_format = str(
        props.get("VALUE_FORMAT") or props.get("FORMAT") or _format_of(first, by_name, "VALUE_FORMAT")
    )
    grouped = query.args.get("group") is not None
    kafka_valued = [s for s in compiled.sources if _format_of(s, by_name, "VALUE_FORMAT") == "KAFKA"]
    for clause, used in (("JOIN", bool(query.args.get("joins"))), ("GROUP BY", grouped)):
        if used and kafka_valued:
            raise DefinitionError(
                f"Source(s) {', '.join(kafka_valued)} are using the 'KAFKA' value format. "
                f"This format does not yet support {clause}."
            )
    rekeyed = query.args.get("partition_by") is not None  # PARTITION BY NULL: no key at all
    keys = (
        list(compiled.key_columns)
        if rekeyed
        else _result_keys(compiled.key_columns, compiled.sources, by_name)
    )
    if not keys and "KEY_FORMAT" in props:
        raise DefinitionError("Key format specified for stream without key columns.")
    hidden = {*PSEUDO_COLUMNS, *WINDOW_BOUNDS}
    result = [
        Column(c["name"], ksql_type_from_duckdb(c["type"]), "key" if c["name"] in keys else "value")
        for c in columns
        if c["name"] in keys or c["name"] not in hidden
    ]
    result.sort(key=lambda c: keys.index(c.name) if c.name in keys else len(keys))
    check_key_schema(result, key_format.upper(), DefinitionError)
    check_value_schema(props, tuple(result), value_format.upper(), DefinitionError)
    if grouped and not any(c.role == "value" for c in result):
        raise DefinitionError("The projection contains no value columns.")


def _format_of(name: str | None, by_name: dict[str, catalog.CatalogEntry], which: str, depth: int = 0) -> str:
    """The key or value format (``which``) of an applied object: declared, or inherited from
    what it reads (KAFKA for a key nobody declared)."""
    from streamduck.ksql.parser import parse_text
    from streamduck.ksql.sources import properties_of

    entry = by_name.get((name or "").upper())
    if entry is None or depth > 20:
        return "KAFKA" if which == "KEY_FORMAT" else "JSON"
    node = parse_text(entry.statement)[0].expression
    props = properties_of(node, DefinitionError)
    declared = props.get(which) or props.get("FORMAT")
    if declared is not None or entry.origin == "source" or not entry.sources:
        return str(declared or ("KAFKA" if which == "KEY_FORMAT" else "JSON")).upper()
    return _format_of(entry.sources[0], by_name, which, depth + 1)


def _drop(con: duckdb.DuckDBPyConnection, statement: Statement) -> Outcome:
    node = statement.expression
    kind, name = node.args["kind"], ksql_name(node.this)
    current = catalog.entry(con, name)
    if current is None:
        if node.args.get("exists"):
            return Outcome("unchanged", kind, name, statement.location)
        raise DefinitionError(f"Source {name} does not exist.")
    if current.kind != kind:
        raise DefinitionError(f"{name} is a {current.kind}, not a {kind}: use DROP {current.kind}")
    readers = [e.name for e in catalog.entries(con) if name.upper() in {s.upper() for s in e.sources}]
    if readers:
        raise DefinitionError(
            f"Cannot drop {name}. The following streams and/or tables read from it: {readers}"
        )
    con.execute(f"DROP VIEW IF EXISTS main.{quote_sql(name)}")
    catalog.remove(con, name)
    return Outcome(
        "dropped", kind, name, statement.location, current.topic, bool(node.args.get("delete_topic"))
    )


def _insert(con: duckdb.DuckDBPyConnection, statement: Statement) -> Outcome:
    """``INSERT INTO derived_stream SELECT ...``: the stream's view gains the query's rows (UNION ALL);
    ``INSERT INTO source VALUES (...)``: the record to produce (the caller produces it)."""
    from streamduck.ksql.compile import compile_select

    node = statement.expression
    name = ksql_name(node.this)
    if node.args.get("query") is None:
        from streamduck.ksql.insert_values import build_record

        record = build_record(con, statement)
        return Outcome("inserted", "INSERT", name, statement.location, record.topic, record=record)
    target = catalog.entry(con, name)
    if target is None:
        raise DefinitionError(f"Source `{name}` does not exist.")
    if target.kind != "STREAM":
        raise DefinitionError(f"INSERT INTO can only be used to insert into a stream. {name} is a table.")
    if target.origin != "derived":
        raise DefinitionError(
            f"{name} is a source stream: its rows come from its topic (produce to it instead)"
        )
    entries = catalog.entries(con)
    compiled = compile_select(
        node.args["query"], catalog.relation_schema(con), {e.name: e.kind for e in entries},
        carry_pseudo_columns=True, keys={e.name: e.key_columns for e in entries}, target=name,
    )  # fmt: skip
    if compiled.kind != "STREAM":
        raise DefinitionError("INSERT INTO ... SELECT must select a STREAM")
    marker = _insert_marker(statement)
    if marker in (target.view_sql or ""):
        return Outcome("unchanged", "INSERT", name, statement.location, target.topic)
    _check_insert_schema(con, compiled, target)
    view_sql = f"{target.view_sql} UNION ALL BY NAME {marker} {compiled.sql}"
    try:
        con.execute(f"CREATE OR REPLACE VIEW main.{quote_sql(name)} AS {view_sql}")
    except Exception as exc:
        raise DefinitionError(_first_line(exc, f"the query does not match {name}: ")) from None
    sources = sorted(set(target.sources) | set(compiled.sources))
    catalog.upsert(con, dataclasses.replace(target, view_sql=view_sql, sources=sources))
    return Outcome("inserted", "INSERT", name, statement.location, target.topic)


def _check_insert_schema(
    con: duckdb.DuckDBPyConnection, compiled: CompiledQuery, target: catalog.CatalogEntry
) -> None:
    """The query's columns must be the stream's: names, types, keys and order, as ksqlDB compares."""
    selected = [
        {"name": row[0], "type": row[1]} for row in con.execute(f"DESCRIBE {compiled.sql}").fetchall()
    ]
    by_name = {e.name: e for e in catalog.entries(con)}
    sink_keys = _result_keys(target.key_columns, target.sources, by_name)
    result_keys = _result_keys(compiled.key_columns, compiled.sources, by_name)
    if not result_keys and len(compiled.sources) > 1:  # a join keyed by the column named like the sink's key
        result_keys = [k for k in sink_keys if k in {c["name"] for c in selected}]
    result = _schema_text(selected, result_keys)
    sink = _schema_text(target.columns, sink_keys)
    if result != sink:
        raise DefinitionError(
            f"Incompatible schema between results and sink. Result schema is {result} Sink schema is {sink}"
        )


def _result_keys(
    keys: Sequence[str], sources: Sequence[str], by_name: dict[str, catalog.CatalogEntry]
) -> list[str]:
    """A query's key columns: those it sets (GROUP BY, PARTITION BY), else its source's keys,
    which a projection keeps (the catalog names keys only where a query sets them). A join's key
    is its join column under a name of the projection's choosing: not inferred here."""
    if keys or len(sources) != 1 or sources[0] not in by_name:
        return list(keys)
    return list(by_name[sources[0]].key_columns)


def _schema_text(columns: list[dict[str, str]], keys: list[str]) -> str:
    """``K`` STRING KEY, ``V`` INTEGER (backquoted names): key columns first, pseudo-columns left out."""
    from streamduck.ksql.names import PSEUDO_COLUMNS
    from streamduck.ksql.sources import sql_type_text
    from streamduck.ksql.types import ksql_type_from_duckdb

    def text(column: dict[str, str]) -> str:
        key = " KEY" if column["name"] in keys else ""
        return f"`{column['name']}` {sql_type_text(ksql_type_from_duckdb(column['type']))}{key}"

    shown = [c for c in columns if c["name"] not in PSEUDO_COLUMNS]
    ordered = sorted(shown, key=lambda c: keys.index(c["name"]) if c["name"] in keys else len(keys))
    return ", ".join(text(c) for c in ordered)


def _insert_marker(statement: Statement) -> str:
    """A comment naming an applied INSERT in the view's SQL, so applying the same file twice adds
    its rows once. It names the statement, not its query: ``INSERT INTO b SELECT * FROM a`` after
    ``CREATE STREAM b AS SELECT * FROM a`` has the same query and must still add the rows."""
    import hashlib

    text = " ".join(statement.text.split()).rstrip(";")
    return f"/* insert {hashlib.sha256(text.encode()).hexdigest()[:16]} */"


def _first_line(exc: Exception, context: str) -> str:
    """DuckDB's first line, in ksqlDB's words where it has them, else after ``context``."""
    from streamduck.ksql.compile_types import explain_duckdb_error

    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    explained = explain_duckdb_error(first)
    return explained if explained != first else f"{context}{first}"
