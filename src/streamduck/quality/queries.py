"""The SQL each stream's checks read: the typed view plus, per value column, the raw text that did not
cast to the declared type (NULL when it did), so GX can check castability and show the bad values."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from streamduck.ksql.model import Column, SourceDefinition

__all__ = ["UNCASTABLE_PREFIX", "checked_query", "uncastable_column"]

UNCASTABLE_PREFIX = "_uncastable_"


def uncastable_column(column: Column) -> str:
    """Name of the derived column holding ``column``'s raw values that failed to cast."""
    return f"{UNCASTABLE_PREFIX}{column.name}"


def checked_query(definition: SourceDefinition) -> str:
    """``SELECT`` over the view joined to its landed records (by partition and offset), with uncastable text."""
    from streamduck.warehouse.coerce import column_duckdb_type, field_json, typed_value, uncoercible
    from streamduck.warehouse.layout import parsed_relation, view_name
    from streamduck.warehouse.schema import VALUE, raw_table
    from streamduck.warehouse.sqltext import quote_ident

    extras = []
    for column in definition.value_columns:
        raw_json = field_json(f"r.{quote_ident(VALUE)}", column.field)
        typed = typed_value(raw_json, column_duckdb_type(column))
        text = f"json_extract_string({raw_json}, '$')"
        extras.append(
            f"CASE WHEN {uncoercible(raw_json, typed)} THEN {text} END AS {quote_ident(uncastable_column(column))}"
        )
    select = ", ".join(["v.*", *extras])
    return (
        f"SELECT {select} FROM {view_name(definition)} AS v "
        f"JOIN {parsed_relation(definition, raw_table(definition), quote_ident(VALUE))} AS r "
        "ON r.ROWPARTITION = v.ROWPARTITION AND r.ROWOFFSET = v.ROWOFFSET"
    )
