"""Source definitions: ``CREATE STREAM|TABLE name (columns) WITH (...)`` -> :class:`SourceDefinition`.

The rules are ksqlDB's: unquoted names upper-cased, ``KAFKA_TOPIC`` required, ``KEY`` columns on
streams and one or more ``PRIMARY KEY`` columns on tables, JSON values, KAFKA or JSON keys.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamduck.errors import DefinitionError
from streamduck.kafka.names import topic_name_problem
from streamduck.ksql.model import Column, ColumnRole, SourceDefinition
from streamduck.ksql.names import PSEUDO_COLUMNS, WINDOW_BOUNDS, ksql_name
from streamduck.warehouse.kafka_keys import KAFKA_KEY_TYPES

if TYPE_CHECKING:
    from sqlglot import exp

    from streamduck.ksql.dialect import KsqlCreate
    from streamduck.ksql.parser import Statement

__all__ = [
    "check_key_schema",
    "definition_from",
    "is_source",
    "load_sources",
    "properties_of",
    "sql_type_text",
]

_VALUE_FORMATS = {"JSON", "DELIMITED", "KAFKA"}
_KSQLDB_FORMATS = {"JSON", "DELIMITED", "KAFKA", "NONE", "AVRO", "PROTOBUF", "PROTOBUF_NOSR", "JSON_SR"}
_KEY_KINDS = (
    " Tables have PRIMARY KEYs, which are unique and NON NULL."
    " Streams have KEYs, which have no uniqueness or NON NULL constraints."
)
_KEY_FORMATS = {"KAFKA", "JSON", "DELIMITED", "NONE"}
_KNOWN_PROPERTIES = {
    "KAFKA_TOPIC",
    "VALUE_FORMAT",
    "KEY_FORMAT",
    "FORMAT",
    "PARTITIONS",
    "REPLICAS",
    "TIMESTAMP",
    "TIMESTAMP_FORMAT",
    "WRAP_SINGLE_VALUE",
    "RETENTION_MS",
    "WINDOW_TYPE",
    "WINDOW_SIZE",
    "KEY_SCHEMA_ID",
    "VALUE_SCHEMA_ID",
    "KEY_SCHEMA_FULL_NAME",
    "VALUE_SCHEMA_FULL_NAME",
}
_SCHEMA_INFERRING = {"AVRO", "PROTOBUF", "JSON_SR"}


def load_sources(streams_dir: Path) -> list[SourceDefinition]:
    """The source (not ``AS SELECT``) definitions of every ``*.sql`` file in ``streams_dir``, by name.

    Raises:
        DefinitionError: a file does not parse, a definition breaks a rule, or two files define the
            same name (the message names file, line and construct).
    """
    from streamduck.ksql.parser import parse_file

    found: dict[str, SourceDefinition] = {}
    for path in sorted(Path(streams_dir).glob("*.sql")):
        for statement in parse_file(path):
            if not is_source(statement.expression):
                continue
            definition = definition_from(statement)
            if definition.name in found:
                first = found[definition.name]
                raise DefinitionError(
                    f"{statement.location}: CREATE {definition.kind} {definition.name}: already defined "
                    f"at {first.path}:{first.line}"
                )
            found[definition.name] = definition
    return list(found.values())


def is_source(expression: exp.Expr) -> bool:
    """Whether a statement declares a source: CREATE STREAM|TABLE without AS SELECT."""
    from streamduck.ksql.dialect import KsqlCreate

    return isinstance(expression, KsqlCreate) and expression.args.get("query") is None


def definition_from(statement: Statement) -> SourceDefinition:
    """Build and validate the definition a source CREATE statement declares."""
    create: KsqlCreate = statement.expression  # type: ignore[assignment]
    kind = create.args["kind"]
    name = ksql_name(create.this)
    construct = f"CREATE {kind} {name}"

    def fail(message: str) -> DefinitionError:
        return DefinitionError(f"{statement.location}: {construct}: {message}")

    props = properties_of(create, fail)
    _check_schema_ids(create, props, fail)
    columns = _columns(create, kind, fail)
    if "KAFKA_TOPIC" not in props:
        raise fail('Missing required property "KAFKA_TOPIC" which has no default value.')
    problem = topic_name_problem(str(props["KAFKA_TOPIC"]))
    if problem is not None:
        raise fail(f"KAFKA_TOPIC: {problem}")
    value_format, key_format = _formats(props, fail)
    check_key_schema(columns, key_format, fail)
    timestamp = _timestamp_column(props, columns, fail)
    check_value_schema(props, columns, value_format, fail)
    window_type, window_size_ms = _window(props, fail)
    return SourceDefinition(
        name=name,
        kind=kind,
        topic=str(props["KAFKA_TOPIC"]),
        columns=columns,
        value_format=value_format,
        key_format=key_format,
        partitions=_positive_int(props, "PARTITIONS", fail),
        replicas=_positive_int(props, "REPLICAS", fail),
        timestamp=timestamp,
        timestamp_format=_optional_str(props, "TIMESTAMP_FORMAT"),
        wrap_single_value=_optional_bool(props, "WRAP_SINGLE_VALUE", fail),
        window_type=window_type,
        window_size_ms=window_size_ms,
        statement=statement.text,
        path=statement.path,
        line=statement.line,
    )


def properties_of(create: exp.Expr, fail: Any) -> dict[str, Any]:
    """The WITH properties, names upper-cased, values as Python scalars; unknown ones rejected."""
    from sqlglot import exp

    props: dict[str, Any] = {}
    for prop in create.args.get("properties") or []:
        key = prop.name.upper()
        if key not in _KNOWN_PROPERTIES:
            raise fail(f"Invalid config variable(s) in the WITH clause: {key}")
        value = prop.args.get("value")
        if isinstance(value, exp.Literal):
            props[key] = value.this if value.is_string else int(value.this)
        elif isinstance(value, exp.Boolean):
            props[key] = value.this
        else:
            props[key] = value.name if value is not None else None
    return props


def _check_schema_ids(create: KsqlCreate, props: dict[str, Any], fail: Any) -> None:
    """``KEY_SCHEMA_ID``/``VALUE_SCHEMA_ID`` name a Schema Registry schema: only for formats that
    infer columns from one, and never beside declared columns (ksqlDB's rules and words)."""
    defs = create.args.get("columns") or []
    for part in ("KEY", "VALUE"):
        if f"{part}_SCHEMA_ID" not in props:
            continue
        fmt = str(
            props.get(f"{part}_FORMAT") or props.get("FORMAT") or ("KAFKA" if part == "KEY" else "")
        ).upper()
        if fmt not in _SCHEMA_INFERRING:
            raise fail(
                f"{part}_FORMAT should support schema inference when {part}_SCHEMA_ID is provided. "
                f"Current format is {fmt}."
            )
        keyed = [
            d
            for d in defs
            if any(
                c.args.get("kind") is not None and "KEY" in c.sql().upper()
                for c in d.args.get("constraints") or []
            )
        ]
        declared = keyed if part == "KEY" else [d for d in defs if d not in keyed]
        if declared:
            raise fail(f"Table elements and {part}_SCHEMA_ID cannot both exist for create statement.")


def _columns(create: KsqlCreate, kind: str, fail: Any) -> tuple[Column, ...]:
    from streamduck.ksql.types import UnsupportedType, canonical_type

    defs = create.args.get("columns") or []
    if not defs:
        # ksqlDB infers columns from Schema Registry (AVRO, PROTOBUF, JSON_SR), which we do not run
        raise fail("No columns supplied.")
    columns: list[Column] = []
    for column_def in defs:
        name = ksql_name(column_def.this)
        if name in PSEUDO_COLUMNS or name in WINDOW_BOUNDS:
            raise fail(f"'{name}' is a reserved column name")
        if any(c.name == name for c in columns):
            raise fail(f"duplicate column name '{name}'")
        try:
            type_text = canonical_type(column_def.args["kind"])
        except UnsupportedType as exc:
            raise fail(f"column '{name}': {exc}") from None
        written = column_def.this.this
        columns.append(
            Column(
                name=name,
                type=type_text,
                role=_role(column_def, kind, name, fail),
                source_name=_source(written, name),
            )
        )
    _check_keys(columns, kind, fail)
    return tuple(columns)


def _source(written: str, name: str) -> str | None:
    # The JSON field is the name as written: `name STRING` reads the field "name" into column NAME.
    return written if written != name else None


def _role(column_def: exp.Expr, kind: str, name: str, fail: Any) -> ColumnRole:
    from sqlglot import exp

    from streamduck.ksql.dialect import HeadersConstraint

    for constraint in column_def.args.get("constraints") or []:
        marker = constraint.args.get("kind")
        if isinstance(marker, HeadersConstraint):
            return "headers"
        if isinstance(marker, exp.PrimaryKeyColumnConstraint):
            is_plain_key = marker.args.get("desc") is not None
            if kind == "STREAM" and not is_plain_key:
                raise fail(
                    f"Column `{name}` is a 'PRIMARY KEY' column: please use 'KEY' for streams.{_KEY_KINDS}"
                )
            if kind == "TABLE" and is_plain_key:
                raise fail(
                    f"Column `{name}` is a 'KEY' column: please use 'PRIMARY KEY' for tables.{_KEY_KINDS}"
                )
            return "key" if is_plain_key else "primary_key"
        raise fail(f"column '{name}': unsupported constraint {constraint.sql()}")
    return "value"


def _check_keys(columns: list[Column], kind: str, fail: Any) -> None:
    keys = [c for c in columns if c.role in ("key", "primary_key")]
    if kind == "TABLE" and not keys:
        raise fail("Tables require a PRIMARY KEY. Please define the PRIMARY KEY.")
    if not any(c.role == "value" for c in columns):
        raise fail("no value columns declared")


def _formats(props: dict[str, Any], fail: Any) -> tuple[str, str]:
    both = props.get("FORMAT")
    if both is not None and ("VALUE_FORMAT" in props or "KEY_FORMAT" in props):
        raise fail("FORMAT cannot be combined with VALUE_FORMAT or KEY_FORMAT")
    value_format = str(both or props.get("VALUE_FORMAT") or "").upper()
    key_format = str(both or props.get("KEY_FORMAT") or "KAFKA").upper()
    if not value_format:
        raise fail(
            "Statement is missing the 'VALUE_FORMAT' property from the WITH clause. Either provide one or "
            "set a default via the 'ksql.persistence.default.format.value' config."
        )
    unknown = next((f for f in (value_format, key_format) if f not in _KSQLDB_FORMATS), None)
    if unknown is not None:
        raise fail(f"Unknown format: {unknown}")
    if value_format not in _VALUE_FORMATS:
        raise fail(f"VALUE_FORMAT '{value_format}' is not supported (supported: JSON, DELIMITED, KAFKA)")
    if key_format not in _KEY_FORMATS:
        raise fail(f"KEY_FORMAT '{key_format}' is not supported (supported: KAFKA, JSON, DELIMITED, NONE)")
    return value_format, key_format


def check_key_schema(columns: Sequence[Column], key_format: str, fail: Any) -> None:
    """Reject key columns the key format cannot serialize, with ksqlDB's wording."""
    keys = [c for c in columns if c.role in ("key", "primary_key")]
    for column in keys:
        if "MAP<" in column.type:
            raise fail(
                "Map keys, including types that contain maps, are not supported as they may lead to "
                f"unexpected behavior due to inconsistent serialization. Key column name: `{column.name}`. "
                f"Column type: {sql_type_text(column.type)}. "
                "See https://github.com/confluentinc/ksql/issues/6621 for more."
            )
    if key_format == "DELIMITED":
        _check_delimited(keys, fail)
    if key_format != "KAFKA" or not keys:
        return
    listed = ", ".join(f"`{c.name}` {sql_type_text(c.type)} KEY" for c in keys)
    if len(keys) > 1:
        reason = f"The 'KAFKA' format only supports a single field. Got: [{listed}]"
    else:
        base = keys[0].type.split("(")[0].split("<")[0]
        if base in KAFKA_KEY_TYPES:
            return
        reason = f"The 'KAFKA' format does not support type '{sql_type_text(base)}'"
    raise fail(
        f"Key format does not support schema. format: KAFKA schema: Persistence{{columns=[{listed}], "
        f"features=[]}} reason: {reason}"
    )


def check_value_schema(
    props: dict[str, Any], columns: tuple[Column, ...], value_format: str, fail: Any
) -> None:
    """ksqlDB's rules for the value columns a value format can hold, with its wording."""
    values = [c for c in columns if c.role == "value"]
    wrap = props.get("WRAP_SINGLE_VALUE")
    if wrap is not None and value_format in ("KAFKA", "DELIMITED"):
        shown = str(wrap).lower()
        raise fail(f"Format '{value_format}' does not support 'WRAP_SINGLE_VALUE' set to '{shown}'.")
    if wrap is not None and len(values) != 1:
        raise fail("'WRAP_SINGLE_VALUE' is only valid for single-field value schemas")
    if value_format == "DELIMITED":
        _check_delimited(values, fail)
    if value_format == "KAFKA":
        listed = ", ".join(f"`{c.name}` {sql_type_text(c.type)}" for c in values)
        if len(values) > 1:
            raise fail(f"The 'KAFKA' format only supports a single field. Got: [{listed}]")
        base = values[0].type.split("(")[0].split("<")[0] if values else "STRING"
        if base not in KAFKA_KEY_TYPES:
            raise fail(f"The 'KAFKA' format does not support type '{sql_type_text(base)}'")


def _check_delimited(columns: Sequence[Column], fail: Any) -> None:
    """DELIMITED text holds primitives only."""
    for column in columns:
        base = column.type.split("(")[0].split("<")[0]
        if base in ("ARRAY", "MAP", "STRUCT"):
            raise fail(f"The 'DELIMITED' format does not support type '{base}', column: `{column.name}`")


def sql_type_text(ksql_type: str) -> str:
    """A type as ksqlDB's messages print it: ``INT`` is ``INTEGER`` there."""
    return re.sub(r"\bINT\b", "INTEGER", ksql_type)


def _timestamp_column(props: dict[str, Any], columns: tuple[Column, ...], fail: Any) -> str | None:
    if props.get("TIMESTAMP") is None:
        if props.get("TIMESTAMP_FORMAT") is not None:
            raise fail("TIMESTAMP_FORMAT needs TIMESTAMP")
        return None
    name = ksql_name(str(props["TIMESTAMP"]))
    column = next((c for c in columns if c.name == name), None)
    if column is None:
        raise fail(f"The TIMESTAMP column set in the WITH clause does not exist in the schema: '{name}'")
    if column.type not in ("BIGINT", "TIMESTAMP") and not (
        column.type == "STRING" and props.get("TIMESTAMP_FORMAT")
    ):
        raise fail(f"TIMESTAMP column '{name}' must be BIGINT or TIMESTAMP (or STRING with TIMESTAMP_FORMAT)")
    return name


def _window(props: dict[str, Any], fail: Any) -> tuple[str | None, int | None]:
    """WINDOW_TYPE and WINDOW_SIZE (ms) of a source over windowed keys, with ksqlDB's rules and
    words (CreateSourceProperties.validateWindowInfo)."""
    from streamduck.ksql.compile_windows import duration_text_ms
    from streamduck.warehouse.windowed_keys import WINDOW_TYPES

    written, size_text = props.get("WINDOW_TYPE"), props.get("WINDOW_SIZE")
    window_type = None if written is None else str(written).upper()
    if window_type is not None and window_type not in WINDOW_TYPES:
        raise fail(
            f"Error in WITH clause property 'WINDOW_TYPE': Unknown window type: '{written}' "
            f"Valid values are: {', '.join(WINDOW_TYPES)}"
        )
    size_ms = None
    if size_text is not None:
        try:
            size_ms = duration_text_ms(str(size_text))
        except ValueError as exc:
            raise fail(
                f"Error in WITH clause property 'WINDOW_SIZE': {exc} Example valid value: '10 SECONDS'"
            ) from None
    needs_size = window_type is not None and window_type != "SESSION"
    if needs_size and size_ms is None:
        raise fail(
            f"{window_type} windows require 'WINDOW_SIZE' to be provided in the WITH clause. "
            "For example: 'WINDOW_SIZE'='10 SECONDS'"
        )
    if not needs_size and size_ms is not None:
        raise fail("'WINDOW_SIZE' should not be set for SESSION windows.")
    return window_type, size_ms


def _positive_int(props: dict[str, Any], key: str, fail: Any) -> int | None:
    value = props.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or value < 1:
        raise fail(f"{key} must be a positive integer, got {value!r}")
    return value


def _optional_str(props: dict[str, Any], key: str) -> str | None:
    value = props.get(key)
    return None if value is None else str(value)


def _optional_bool(props: dict[str, Any], key: str, fail: Any) -> bool | None:
    value = props.get(key)
    if value is None or isinstance(value, bool):
        return value
    if str(value).upper() in ("TRUE", "FALSE"):
        return str(value).upper() == "TRUE"
    raise fail(f"{key} must be true or false, got {value!r}")
