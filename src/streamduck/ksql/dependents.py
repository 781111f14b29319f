"""Keeping derived views coherent when what they read is replaced.

A ``CREATE OR REPLACE`` of a stream or table can rename, drop or retype the columns its readers use.
DuckDB binds a view's SQL only when it is queried, so without this check the readers would be
reported "unchanged" and then fail on their next query. After the statements of a file ran, every
derived view that reads a replaced object (directly or through other views) is compiled again from
its statement over the new columns; if one no longer compiles, the whole file is refused, naming
each broken view and why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import TYPE_CHECKING

from streamduck.errors import DefinitionError
from streamduck.ksql import catalog
from streamduck.ksql.names import quote_sql

if TYPE_CHECKING:
    import duckdb

__all__ = ["recompile_dependents"]

_INSERTED = "/* insert "
"""Marks a view extended by ``INSERT INTO`` (see ``execute._insert_marker``)."""


def recompile_dependents(
    con: duckdb.DuckDBPyConnection, replaced: Collection[str], skip: Collection[str] = ()
) -> list[tuple[str, str]]:
    """Recompile the derived views reading ``replaced`` objects, in dependency order; return their
    ``(kind, name)``.

    ``skip``: views a later statement of the same apply redefines (compiled when it runs).

    Raises:
        DefinitionError: some no longer compile; names each, with the first line of its error.
    """
    entries = {e.name.upper(): e for e in catalog.entries(con)}
    order = _affected(entries, {n.upper() for n in replaced}, {n.upper() for n in skip})
    broken: dict[str, str] = {}
    done = []
    for name in order:
        entry = entries[name]
        upstream = next((s for s in entry.sources if s.upper() in broken), None)
        if upstream is not None:
            broken[name] = f"reads {upstream}"
            continue
        try:
            _recompile(con, entry)
        except DefinitionError as exc:
            broken[name] = str(exc)
            continue
        done.append((entry.kind, entry.name))
    if broken:
        names = ", ".join(sorted(set(replaced)))
        details = "; ".join(f"{entries[n].name} ({why})" for n, why in broken.items())
        them = "it" if len(set(replaced)) == 1 else "them"
        raise DefinitionError(
            f"replacing {names} breaks the views that read {them}: {details}. "
            "Change or drop those views in the same apply"
        )
    return done


def _affected(entries: dict[str, catalog.CatalogEntry], replaced: set[str], skip: set[str]) -> list[str]:
    """Derived views reading ``replaced`` (transitively), each after the views it reads."""
    readers: dict[str, list[str]] = {}
    for name, entry in entries.items():
        if entry.origin == "derived":
            for source in entry.sources:
                readers.setdefault(source.upper(), []).append(name)
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:  # depth-first; a view is placed after everything it reads
        for reader in readers.get(name, []):
            if reader not in seen and reader not in replaced and reader not in skip:
                seen.add(reader)
                visit(reader)
                order.append(reader)

    for name in replaced:
        visit(name)
    return order[::-1]


def _recompile(con: duckdb.DuckDBPyConnection, entry: catalog.CatalogEntry) -> None:
    import duckdb

    from streamduck.ksql.compile import compile_select
    from streamduck.ksql.compile_types import explain_duckdb_error
    from streamduck.ksql.parser import parse_text

    view = f"main.{quote_sql(entry.name)}"
    try:
        if entry.view_sql and _INSERTED in entry.view_sql:
            # Extended by INSERT INTO: its SQL is more than its statement; check it still binds.
            con.execute(f"CREATE OR REPLACE VIEW {view} AS {entry.view_sql}")
            catalog.upsert(con, dataclasses.replace(entry, columns=catalog.view_columns(con, entry.name)))
            return
        (statement,) = parse_text(entry.statement)
        entries = catalog.entries(con)
        compiled = compile_select(
            statement.expression.args["query"], catalog.relation_schema(con), {e.name: e.kind for e in entries},
            carry_pseudo_columns=True, histories=catalog.table_histories(entries),
        )  # fmt: skip
        con.execute(f"CREATE OR REPLACE VIEW {view} AS {compiled.sql}")
        columns = catalog.view_columns(con, entry.name)
    except duckdb.Error as exc:
        text = str(exc).strip()
        raise DefinitionError(
            explain_duckdb_error(text.splitlines()[0]) if text else type(exc).__name__
        ) from None
    catalog.upsert(
        con,
        dataclasses.replace(
            entry,
            columns=columns,
            key_columns=list(compiled.key_columns),
            sources=list(compiled.sources),
            view_sql=compiled.sql,
        ),
    )
