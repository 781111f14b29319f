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
    import duckdb

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
    from streamduck.ksql.dialect import KsqlCreate, KsqlDrop, KsqlInsert

    node = statement.expression
    try:
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
    _check_derived_key_format(con, props, compiled, columns, entries)
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


def _check_derived_key_format(
    con: duckdb.DuckDBPyConnection,
    props: dict[str, object],
    compiled: object,
    columns: list[dict[str, str]],
    entries: list[catalog.CatalogEntry],
) -> None:
    """A result keyed by several columns needs a key format that holds them, as in ksqlDB.

    The key format is the statement's (``KEY_FORMAT``/``FORMAT``), else its first source's: KAFKA
    holds one column, so ``GROUP BY a, b`` over a KAFKA-keyed source is rejected with ksqlDB's words.
    """
    from streamduck.ksql.sources import sql_type_text
    from streamduck.ksql.types import ksql_type_from_duckdb

    keys = list(compiled.key_columns)  # type: ignore[attr-defined]
    if len(keys) < 2:
        return
    fmt = props.get("KEY_FORMAT") or props.get("FORMAT")
    if fmt is None and compiled.sources:  # type: ignore[attr-defined]
        fmt = _key_format_of(compiled.sources[0], {e.name: e for e in entries})  # type: ignore[attr-defined]
    if str(fmt or "KAFKA").upper() != "KAFKA":
        return
    types = {c["name"]: c["type"] for c in columns}
    listed = ", ".join(f"`{k}` {sql_type_text(ksql_type_from_duckdb(types.get(k, '')))} KEY" for k in keys)
    raise DefinitionError(
        f"Key format does not support schema. format: KAFKA schema: Persistence{{columns=[{listed}], "
        f"features=[]}} reason: The 'KAFKA' format only supports a single field. Got: [{listed}]"
    )


def _key_format_of(name: str, by_name: dict[str, catalog.CatalogEntry], depth: int = 0) -> str:
    """The key format of an applied object: declared, or inherited from what it reads."""
    from streamduck.ksql.parser import parse_text
    from streamduck.ksql.sources import properties_of

    entry = by_name.get(name.upper())
    if entry is None or depth > 20:
        return "KAFKA"
    node = parse_text(entry.statement)[0].expression
    props = properties_of(node, DefinitionError)
    declared = props.get("KEY_FORMAT") or props.get("FORMAT")
    if declared is not None or entry.origin == "source" or not entry.sources:
        return str(declared or "KAFKA").upper()
    return _key_format_of(entry.sources[0], by_name, depth + 1)


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
    if target is None or target.kind != "STREAM":
        raise DefinitionError(f"INSERT INTO needs an existing STREAM; {name} is not one")
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
    wanted = sorted(c["name"] for c in target.columns)
    selected = sorted(row[0] for row in con.execute(f"DESCRIBE {compiled.sql}").fetchall())
    if selected != wanted:
        raise DefinitionError(f"the SELECT's columns {selected} differ from {name}'s {wanted}")
    view_sql = f"{target.view_sql} UNION ALL BY NAME {marker} {compiled.sql}"
    try:
        con.execute(f"CREATE OR REPLACE VIEW main.{quote_sql(name)} AS {view_sql}")
    except Exception as exc:
        raise DefinitionError(_first_line(exc, f"the query does not match {name}: ")) from None
    sources = sorted(set(target.sources) | set(compiled.sources))
    catalog.upsert(con, dataclasses.replace(target, view_sql=view_sql, sources=sources))
    return Outcome("inserted", "INSERT", name, statement.location, target.topic)


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
