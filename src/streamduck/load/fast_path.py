"""A one-parse test that proves most records valid, so only the others pay for full classification.

The full classification (:mod:`streamduck.load.classify`) follows ksqlDB's field matching and
coercion rules through several query layers and re-parses every field's JSON a few times (its cost
per record is in docs/loader.md, *Performance design*). Most records are well formed, so one pass
over the record reads, for every declared field (and every field of a declared STRUCT), its JSON
type (``json_type``) and its text (``json_extract_string``). The typed values come from those
through the very coercion the full path applies to each field
(:func:`~streamduck.warehouse.coerce.scalar_value`), so both paths store the same values.

The test is conservative. When it says a record is valid, the full classification would agree;
when it is unsure (a field spelled in another case, a key named twice, an ARRAY or MAP field), it
says no and the record takes the full path, which gives the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from streamduck.ksql.model import SourceDefinition
from streamduck.warehouse.sqltext import quote_string

__all__ = ["FastPath", "fast_path"]


@dataclass(frozen=True)
class FastPath:
    """What the fast test reads from a record, and the SQL over it.

    ``pointers``: the JSON pointers read (declared fields, then STRUCT fields). ``valid`` reads the
    list columns ``_t`` (:meth:`types`) and ``_keys`` (``json_keys``), the elements of ``_t`` and
    ``_s`` (:meth:`strings`) as columns ``_t1``, ``_s1``, ... (:meth:`scalars`), plus ``t_0``,
    ``t_1``, ... (``typed``, computed in a layer below it); it is true only for records the full
    classification accepts, and for those ``typed`` are the values it stores.
    """

    pointers: tuple[str, ...]
    valid: str
    typed: tuple[str, ...] = ()

    def types(self, text: str) -> str:
        """The ``_t`` expression: the JSON type of each pointer's value (NULL: absent)."""
        return f"json_type({text}, {self._pointer_list()})" if self.pointers else "[]::VARCHAR[]"

    def strings(self, text: str) -> str:
        """The ``_s`` expression: each pointer's value as ``json_extract_string`` reads it."""
        return f"json_extract_string({text}, {self._pointer_list()})" if self.pointers else "[]::VARCHAR[]"

    def scalars(self) -> str:
        """``_t1, ..., _s1, ...``: the elements of ``_t`` and ``_s`` as columns, for a layer between
        the lists and ``valid``/``typed``, which read each element many times (~8% faster than
        indexing the lists in every expression)."""
        if not self.pointers:
            return "NULL AS _no_pointers"
        numbers = range(1, len(self.pointers) + 1)
        return ", ".join([f"_t[{k}] AS _t{k}" for k in numbers] + [f"_s[{k}] AS _s{k}" for k in numbers])

    def _pointer_list(self) -> str:
        return "[" + ", ".join(quote_string(p) for p in self.pointers) + "]"


@dataclass
class _Reads:
    """The pointers read so far; each is read once, at a 1-based position of ``_t``/``_s``."""

    pointers: list[str] = field(default_factory=list)

    def slot(self, pointer: str) -> int:
        if pointer not in self.pointers:
            self.pointers.append(pointer)
        return self.pointers.index(pointer) + 1


def fast_path(definition: SourceDefinition) -> FastPath:
    """The fast test for ``definition``'s value columns."""
    from streamduck.ksql.types import parse_type

    columns = definition.value_columns
    if not columns:
        return FastPath((), "true")
    reads = _Reads()
    present_checks, absent_checks, typed = [], [], []
    for i, column in enumerate(columns):
        k = reads.slot(_pointer("", column.field))
        kind, value = _column(reads, f"_t{k}", _pointer("", column.field), parse_type(column.type))
        check = "false" if value is None else f"({kind} AND t_{i} IS NOT NULL)"
        present_checks.append(f"(_t{k} IS NOT NULL AND _t{k} <> 'NULL' AND {check})")
        absent_checks.append(f"(_t{k} IS NULL OR _t{k} = 'NULL' OR {check})")
        typed.append("NULL" if value is None else f"CASE WHEN _t{k} <> 'NULL' THEN {value} END")
    exact = [c.field for c in columns]
    upper = [c.field.upper() for c in columns]
    # A missing or null field is only certainly missing when no key spells it in another case
    # (ksqlDB would read that one instead): checked only for records that have such a field.
    no_other_spelling = (
        f"len(list_filter(_keys, lambda k: list_contains({_sql_list(upper)}, upper(k)) "
        f"AND NOT list_contains({_sql_list(exact)}, k))) = 0"
    )
    # A declared field named twice: ksqlDB reads the last value, the extraction the first. Each
    # present field is named once exactly when the keys naming declared fields are as many.
    top = [reads.slot(_pointer("", f)) for f in exact]
    present = " + ".join(f"(_t{k} IS NOT NULL)::INTEGER" for k in top)
    named_once = (
        f"len(list_filter(_keys, lambda k: k IN ({', '.join(quote_string(f) for f in exact)}))) = {present}"
    )
    valid = (
        f"{named_once} AND CASE WHEN {' AND '.join(present_checks)} THEN true "
        f"WHEN {' AND '.join(absent_checks)} THEN {no_other_spelling} ELSE false END"
    )
    return FastPath(tuple(reads.pointers), valid, tuple(typed))


def _column(reads: _Reads, kind: str, pointer: str, data_type: Any) -> tuple[str, str | None]:
    """For the value at ``pointer`` (JSON type ``kind``), present and not null: the SQL condition
    under which the fast test decides it, and its typed value then (None: the full path decides)."""
    from streamduck.ksql.types import duckdb_type_of
    from streamduck.warehouse.coerce import is_scalar_type, scalar_value

    if data_type.this.name == "STRUCT":
        return f"{kind} = 'OBJECT'", _struct(reads, pointer, data_type)
    duckdb_type = duckdb_type_of(data_type)
    if not is_scalar_type(duckdb_type):  # ARRAY, MAP: the full path decides
        return "false", None
    k = reads.slot(pointer)
    return "true", scalar_value(f"_s{k}", f"_t{k}", duckdb_type)


def _struct(reads: _Reads, pointer: str, data_type: Any) -> str:
    """The STRUCT at ``pointer`` (an object), its fields matched and coerced as the full path does.

    The full path reads field ``NAME`` from the key ``NAME``, else ``name``, else the first key
    whose upper-cased name is ``NAME``, and a field that does not coerce reads as NULL. The fast path
    reads ``name``: the record is its only when no key is spelled exactly ``NAME`` and ``name`` holds
    a value (not null), so no other spelling is looked for (conditions in the returned SQL).
    """
    from streamduck.ksql.names import ksql_name
    from streamduck.ksql.types import duckdb_type_of
    from streamduck.warehouse.coerce import data_typed_value, is_scalar_type, scalar_value
    from streamduck.warehouse.sqltext import quote_ident

    fields, certain = [], []
    for nested in data_type.expressions:
        name = ksql_name(nested.this)
        k = reads.slot(_pointer(pointer, name.lower()))
        certain.append(f"_t{k} <> 'NULL'")  # present (NULL <> 'NULL' is NULL) and not null
        if name != name.lower():
            certain.append(f"_t{reads.slot(_pointer(pointer, name))} IS NULL")
        nested_type = nested.args["kind"]
        duckdb_type = duckdb_type_of(nested_type)
        if nested_type.this.name != "STRUCT" and is_scalar_type(duckdb_type):
            value = scalar_value(f"_s{k}", f"_t{k}", duckdb_type)
        else:  # a nested STRUCT, ARRAY or MAP: the full path's coercion of that one value
            value = data_typed_value(
                f"json_extract(text, {quote_string(_pointer(pointer, name.lower()))})", nested_type
            )
        fields.append(f"{quote_ident(name)} := {value}")
    return f"CASE WHEN {' AND '.join(certain)} THEN struct_pack({', '.join(fields)}) END"


def _pointer(parent: str, name: str) -> str:
    """The RFC 6901 JSON pointer to field ``name`` of the object at ``parent`` ('' for the root)."""
    return parent + "/" + name.replace("~", "~0").replace("/", "~1")


def _sql_list(items: list[str]) -> str:
    return "[" + ", ".join(quote_string(i) for i in items) + "]"
