"""Run the golden cases of ``tests/ksql/cases`` against a real DuckDB warehouse (records landed as
the loader lands them; keys serialized as Kafka producers would). ``test_cli_cases`` runs a sample
end to end through the CLI and the broker, as a user would."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from streamduck.errors import DefinitionError
from streamduck.ksql import catalog
from tests.ksql.cases import Case, load_cases
from tests.ksql.qtt import kafka_key, produce, windowed_key
from tests.landing import land

CASES = load_cases()


def _key_bytes(source: catalog.CatalogEntry, statement_key_format: str, record: dict) -> bytes | None:
    """The record's key as its source's key format serializes it; a ``window`` record's windowed."""
    key = record.get("key")
    if key is None:
        return None
    keys = [c for c in source.columns if c["role"] in ("key", "primary_key")]
    if statement_key_format == "JSON":
        data = json.dumps(key).encode()
    elif not keys:
        data = str(key).encode()
    else:
        ksql_type = {"INT": "INT", "BIGINT": "BIGINT", "DOUBLE": "DOUBLE"}.get(keys[0]["type"], "STRING")
        data = kafka_key(ksql_type, key)
    window = record.get("window")
    if window is None:
        return data
    return windowed_key(data, _definition(source).window_type or "", window["start"], window["end"])


def _definition(entry: catalog.CatalogEntry):
    from streamduck.ksql.parser import parse_text
    from streamduck.ksql.sources import definition_from

    return definition_from(parse_text(entry.statement)[0])


def _key_format(entry: catalog.CatalogEntry) -> str:
    return _definition(entry).key_format


def _value_bytes(entry: catalog.CatalogEntry, value: object) -> bytes | None:
    """A case's value as the source's value format serializes it (JSON, DELIMITED text, KAFKA)."""
    definition = _definition(entry)
    if value is None:
        return None
    if definition.value_format == "DELIMITED":
        return str(value).encode()
    if definition.value_format == "KAFKA":
        column = definition.value_columns[0]
        return kafka_key(column.type if column.type in ("INT", "BIGINT", "DOUBLE") else "STRING", value)
    return json.dumps(value).encode()


def _stored_text(warehouse, entry: catalog.CatalogEntry, value: bytes | None) -> str | None:
    """What the loader stores for a value: its JSON object text (see warehouse.value_formats)."""
    from streamduck.warehouse.value_formats import as_json_object

    if value is None:
        return None
    sql = as_json_object("TRY(decode(v))", "v", _definition(entry))
    return warehouse.con.execute(f"SELECT {sql} FROM (SELECT ?::BLOB AS v)", [value]).fetchone()[0]


def _jsonl(rows: list[dict]) -> list[dict]:
    from streamduck.cli._output import to_jsonable

    return [json.loads(json.dumps(to_jsonable(row))) for row in rows]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.tier}: {c.name}" for c in CASES])
def test_case(case: Case, warehouse) -> None:
    if case.error is not None:
        with pytest.raises(DefinitionError) as raised:
            warehouse.apply(case.text)
        message = str(raised.value)
        assert message.startswith("test.sql:") and "\n" not in message
        assert case.error in message
        return
    outcomes = warehouse.apply(case.text)
    entries = {e.name: e for e in catalog.entries(warehouse.con)}
    offsets = iter(range(len(outcomes) + len(case.inputs)))
    for produced in [o.record for o in outcomes if o.record is not None]:  # INSERT ... VALUES, as loaded
        value = _stored_text(warehouse, entries[produced.target], produced.value)
        land(
            warehouse.con,
            produced.target,
            [(0, next(offsets), produced.timestamp_ms, produced.key, [], value)],
        )
    for source, record in case.inputs:
        entry = entries[source]
        key = _key_bytes(entry, _key_format(entry), record)
        value = _stored_text(warehouse, entry, _value_bytes(entry, record.get("value")))
        land(warehouse.con, source, [(0, next(offsets), record.get("timestamp", 0), key, [], value)])
    for target, expected in case.outputs.items():
        rows = _jsonl(warehouse.select_star(target))
        assert _in_order(rows, entries[target]) == _in_order(expected, entries[target]), target


def _in_order(rows: list[dict], entry: catalog.CatalogEntry) -> list[dict]:
    """A stream's rows in their order; a table's in any (a table has no row order)."""
    return rows if entry.kind == "STREAM" else sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))


E2E = [
    c
    for c in CASES
    if c.tier in ("keys", "basic", "formats", "windows", "insert_values")
    and c.error is None
    and c.name.startswith(
        (
            "INT key",
            "BIGINT",
            "stream-table",
            "aggregation",
            "DELIMITED",
            "KAFKA value",
            "windowed stream source with",
            "a table takes the latest row",
        )
    )
]


@pytest.mark.parametrize("case", E2E, ids=[c.name for c in E2E])
def test_cli_case(case: Case, cli, settings, tmp_path: Path, topic_name: str) -> None:
    """Through the product's contract: ksql apply FILE, load --until-caught-up, sql ... --format jsonl."""
    text = case.text.replace("kafka_topic='", f"kafka_topic='cli-{uuid.uuid4().hex[:8]}-")
    statements = tmp_path / "case.sql"
    statements.write_text(text.replace("WITH (", "WITH (partitions=1, "))
    applied = cli("ksql", "apply", str(statements))
    assert applied.exit_code == 0, applied.stderr
    con_entries = _catalog(settings)
    for source, record in case.inputs:
        entry = con_entries[source]
        produce(
            settings, entry.topic,
            [(_key_bytes(entry, _key_format(entry), record), _value_bytes(entry, record.get("value")), record.get("timestamp", 0))],
        )  # fmt: skip
    loaded = cli("load", "--until-caught-up")
    assert loaded.exit_code == 0, loaded.stderr
    entries = _catalog(settings)
    for target, expected in case.outputs.items():
        result = cli("sql", f"SELECT * FROM {target}", "--format", "jsonl")
        assert result.exit_code == 0, result.stderr
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        assert _in_order(rows, entries[target]) == _in_order(expected, entries[target])


def _catalog(settings) -> dict[str, catalog.CatalogEntry]:
    from streamduck.warehouse.connection import connect

    con = connect(settings.warehouse, read_only=True)
    try:
        return {e.name: e for e in catalog.entries(con)}
    finally:
        con.close()
