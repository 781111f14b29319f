"""The transform's only contact with the ksql package: find a derived stream and compile its SELECT.

Parsing (``ksql.parser``), source definitions (``ksql.load_sources``), WITH properties
(``ksql.sources.properties_of``) and the SELECT compiler (``ksql.compile.compile_select``) are the
ksql package's; this module picks the statement, checks it is a stateless single-source stream,
and compiles it over the source's typed-view shape with the pseudo-columns carried through.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamduck.errors import DefinitionError
from streamduck.ksql.model import SourceDefinition
from streamduck.ksql.names import ksql_name
from streamduck.ksql.sources import properties_of

if TYPE_CHECKING:
    from streamduck.transform.spec import TransformSpec

__all__ = ["derived_stream"]


def derived_stream(streams_dir: Path, name: str) -> TransformSpec:
    """Resolve the ``CREATE STREAM name ... AS SELECT`` statement in ``streams_dir``."""
    from streamduck.transform.spec import TransformSpec

    location, create = _find_create(streams_dir, name)
    stream_name = ksql_name(create.this)
    where = f"{location}: CREATE STREAM {stream_name}"
    if create.args.get("kind") != "STREAM":
        raise DefinitionError(f"{where}: transforms run CREATE STREAM ... AS SELECT, not a TABLE")
    query = create.args["query"]
    source = _source_of(query, _sources(streams_dir), where)
    props = properties_of(create, lambda message: DefinitionError(f"{where}: {message}"))
    select_sql, key_columns = _compile(query, source, where)
    return TransformSpec(
        name=stream_name,
        source=source,
        select_sql=select_sql,
        sink_topic=str(props.get("KAFKA_TOPIC", stream_name)),
        key_columns=key_columns,
        key_format=str(props.get("KEY_FORMAT", props.get("FORMAT", source.key_format))),
        value_format=str(props.get("VALUE_FORMAT", props.get("FORMAT", source.value_format))),
        partitions=_int_property(props, "PARTITIONS", where),
        replicas=_int_property(props, "REPLICAS", where),
    )


def _find_create(streams_dir: Path, name: str) -> tuple[str, Any]:
    from streamduck.ksql.dialect import KsqlCreate
    from streamduck.ksql.parser import parse_file

    for path in sorted(streams_dir.glob("*.sql")):
        for statement in parse_file(path):
            create = statement.expression
            derived = isinstance(create, KsqlCreate) and create.args.get("query") is not None
            if derived and ksql_name(create.this) in (name, name.upper()):
                return statement.location, create
    raise DefinitionError(f"no CREATE STREAM {name} ... AS SELECT statement in {streams_dir}")


def _sources(streams_dir: Path) -> list[SourceDefinition]:
    from streamduck.ksql import load_sources

    return load_sources(streams_dir)


def _source_of(query: Any, sources: list[SourceDefinition], where: str) -> SourceDefinition:
    from sqlglot import exp

    if query.args.get("joins") or query.args.get("group") or query.args.get("ksql_window"):
        raise DefinitionError(f"{where}: a transform is stateless (no JOIN, GROUP BY or WINDOW)")
    tables = [t for t in query.find_all(exp.Table)]
    if len(tables) != 1:
        raise DefinitionError(f"{where}: a transform reads exactly one source stream")
    wanted = ksql_name(tables[0].this)
    for source in sources:
        if source.name == wanted:
            if source.kind != "STREAM":
                raise DefinitionError(f"{where}: source {wanted} is a TABLE; transforms read streams")
            return source
    raise DefinitionError(f"{where}: unknown source stream {wanted}")


def _int_property(props: dict[str, Any], key: str, where: str) -> int | None:
    if key not in props:
        return None
    if not isinstance(props[key], int) or props[key] < 1:
        raise DefinitionError(f"{where}: {key} must be a positive integer, not {props[key]!r}")
    return props[key]


def _kept_key_columns(query: Any, source: SourceDefinition) -> tuple[str, ...]:
    """Output names of projections that are a bare reference to a source key column (ksqlDB keys)."""
    from sqlglot import exp

    keys = {c.name for c in source.key_columns}
    kept = []
    for projection in query.expressions:
        target = projection.this if isinstance(projection, exp.Alias) else projection
        if isinstance(target, exp.Column) and ksql_name(target.this) in keys:
            kept.append(
                ksql_name(projection.args["alias"])
                if isinstance(projection, exp.Alias)
                else ksql_name(target.this)
            )
        elif isinstance(target, exp.Star):
            kept.extend(c.name for c in source.key_columns)
    return tuple(kept)


def _compile(query: Any, source: SourceDefinition, where: str) -> tuple[str, tuple[str, ...]]:
    """DuckDB SQL over the source view (declared columns + pseudo-columns) and the key columns."""
    from streamduck.ksql.compile import compile_select
    from streamduck.warehouse.coerce import column_duckdb_type

    columns = [(c.name, column_duckdb_type(c)) for c in source.columns]
    columns += [("ROWTIME", "BIGINT"), ("ROWPARTITION", "INTEGER"), ("ROWOFFSET", "BIGINT")]
    try:
        compiled = compile_select(
            query, {source.name: columns}, {source.name: source.kind}, carry_pseudo_columns=True
        )
    except DefinitionError as exc:
        raise DefinitionError(f"{where}: {exc}") from None
    if compiled.kind != "STREAM" or compiled.windowed:
        raise DefinitionError(f"{where}: a transform is stateless; this SELECT produces a {compiled.kind}")
    return compiled.sql, compiled.key_columns or _kept_key_columns(query, source)
