"""Pure logic of the loader: quoting, batching, crash-point parsing, reports, classification SQL."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import namedtuple

import duckdb
import pytest

from streamduck.errors import DefinitionError
from streamduck.ksql.model import Column, SourceDefinition
from streamduck.load.batch import BatchBuilder, BatchLimits
from streamduck.load.commit import commit_batch
from streamduck.load.guarantee import AT_LEAST_ONCE, EXACTLY_ONCE
from streamduck.load.report import StreamLoad
from streamduck.warehouse.backend import DuckDBFile
from streamduck.warehouse.layout import ensure_source
from streamduck.warehouse.sqltext import json_pointer, quote_ident, quote_string

Record = namedtuple("Record", "offset timestamp key headers value serialized_value_size")
PEOPLE = SourceDefinition(
    name="PEOPLE",
    kind="STREAM",
    topic="people",
    columns=(Column("ID", "STRING", "key"), Column("NAME", "STRING"), Column("AGE", "INT")),
)


def records(offsets, value=b'{"name": "x", "age": 1}'):
    return [Record(o, 1000 + o, b"k", [], value, len(value)) for o in offsets]


def test_quoting_doubles_quotes_and_rejects_nul():
    assert quote_ident('a"b') == '"a""b"'
    assert quote_string("it's") == "'it''s'"
    assert json_pointer("a/b~c") == "'/a~1b~0c'"
    with pytest.raises(DefinitionError):
        quote_ident("a\x00b")


def test_batch_closes_on_count_bytes_or_age():
    builder = BatchBuilder(PEOPLE, BatchLimits(records=3, bytes=10**9, age_s=60))
    builder.add(0, records([0, 1]))
    assert not builder.is_full()
    builder.add(1, records([5]))
    assert builder.is_full()
    by_bytes = BatchBuilder(PEOPLE, BatchLimits(records=100, bytes=30, age_s=60))
    by_bytes.add(0, records([0, 1]))
    assert by_bytes.is_full()
    by_age = BatchBuilder(PEOPLE, BatchLimits(records=100, bytes=10**9, age_s=0.5))
    by_age.add(0, records([0]))
    assert not by_age.is_full() and by_age.is_full(now=by_age._opened + 1)


def test_batch_tracks_expected_start_and_drops_records_before_a_seek():
    builder = BatchBuilder(PEOPLE, BatchLimits())
    builder.reset_position(0, 10)
    builder.add(0, records([8, 9, 10, 11]))  # fetched before the seek took effect
    batch = builder.take()
    assert batch.expected == {0: 10} and batch.next_offsets == {0: 12} and batch.ranges == {0: (10, 11)}
    builder.add(0, records([12]))
    assert builder.take().expected == {0: 12}
    assert builder.take() is None


def test_reset_drops_pending_records_of_that_partition_only():
    builder = BatchBuilder(PEOPLE, BatchLimits())
    builder.add(0, records([0, 1]))
    builder.add(1, records([0]))
    builder.reset_position(0, 0)
    batch = builder.take()
    assert batch.records == 1 and batch.ranges == {1: (0, 0)}


def test_stream_load_merges_ranges():
    load = StreamLoad("S", "t")
    load.add({0: (0, 9)}, rows=10, dead=0, duplicates=0, records=10)
    load.add({0: (10, 19), 1: (0, 4)}, rows=14, dead=1, duplicates=0, records=15)
    assert load.to_dict()["ranges"] == {"0": [0, 19], "1": [0, 4]} and load.rows == 24


def test_compare_and_set_rejects_a_stale_batch():
    con = duckdb.connect()
    ensure_source(con, PEOPLE)
    fresh = BatchBuilder(PEOPLE, BatchLimits())
    fresh.add(0, records([0, 1, 2]))
    assert commit_batch(
        con, fresh.take(), guarantee=EXACTLY_ONCE, loader="new", max_value_bytes=1000
    ).committed
    zombie = BatchBuilder(PEOPLE, BatchLimits())  # started from nothing, like the member before a rebalance
    zombie.add(0, records([0, 1]))
    result = commit_batch(con, zombie.take(), guarantee=EXACTLY_ONCE, loader="old", max_value_bytes=1000)
    assert not result.committed and result.conflicts == {0: 3}
    assert con.execute('SELECT count(*) FROM raw."PEOPLE"').fetchone() == (3,)


def test_records_land_in_partition_and_offset_order_whatever_the_fetch_order():
    con = duckdb.connect()
    ensure_source(con, PEOPLE)
    builder = BatchBuilder(PEOPLE, BatchLimits())
    builder.add(1, records([0, 1]))
    builder.add(0, records([5, 6]))
    builder.add(1, records([2], value=b'{"NAME": "full path", "age": "7"}'))  # classified the slow way
    builder.add(0, records([7], value=b"{nope"))  # a dead letter
    builder.add(1, records([3]))
    commit_batch(con, builder.take(), guarantee=EXACTLY_ONCE, loader="t", max_value_bytes=1000)
    landed = con.execute('SELECT ROWPARTITION, ROWOFFSET FROM raw."PEOPLE"').fetchall()
    assert landed == [(0, 5), (0, 6), (1, 0), (1, 1), (1, 2), (1, 3)]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "tombstone"),
        (b"\xff\xfe", "invalid_utf8"),
        (b"{nope", "not_json"),
        (b"[1, 2]", "wrong_root_type"),
        (b'{"age": "old"}', "wrong_field_type"),
        (b'{"name": "' + b"x" * 200 + b'"}', "oversized"),
        (b'{"NAME": "ok", "age": "7"}', None),
    ],
)
def test_classification_reason_codes(value, reason):
    con = duckdb.connect()
    ensure_source(con, PEOPLE)
    builder = BatchBuilder(PEOPLE, BatchLimits())
    builder.add(0, [Record(0, 0, b"k", [], value, len(value or b""))])
    result = commit_batch(con, builder.take(), guarantee=EXACTLY_ONCE, loader="t", max_value_bytes=100)
    found = con.execute("SELECT reason FROM _streamduck.dead_letters").fetchall()
    assert found == ([(reason,)] if reason else []) and result.rows == (0 if reason else 1)


def test_crash_point_exits_only_at_the_named_hit():
    code = "from streamduck.crash import CrashPoint, crash_point as c\nfor _ in range(3): c(CrashPoint.AFTER_INSERT)\nprint('alive')"
    env = {**os.environ, "STREAMDUCK_CRASH_AT": "after-insert@3"}
    assert subprocess.run([sys.executable, "-c", code], env=env).returncode == 86
    env["STREAMDUCK_CRASH_AT"] = "after-insert@4"
    survived = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert survived.returncode == 0 and "alive" in survived.stdout


def test_writer_retries_a_batch_that_outgrows_its_memory_limit(tmp_path, monkeypatch, caplog):
    """64 values of 250 KB need more than the 128 MiB floor to classify: the writer retries with more.

    At-least-once classifies in the commit's transaction, under the file's memory limit (exactly-once
    classifies ahead on an in-memory database of its own, :meth:`WarehouseWriter.classify_ahead`).
    """
    from streamduck.load import writer as writer_module

    monkeypatch.setattr(writer_module, "MEMORY_PER_VALUE_BYTE", 1)  # start at the floor
    value = b'{"name": "' + b"x" * 250_000 + b'", "age": 3}'
    builder = BatchBuilder(PEOPLE, BatchLimits(records=10**6, bytes=10**9))
    builder.add(0, records(range(64), value))
    writer = writer_module.WarehouseWriter(
        DuckDBFile(tmp_path / "w.duckdb"),
        [PEOPLE],
        writer_module.WriterOptions(memory_floor_mb=128, guarantee=AT_LEAST_ONCE),
    )
    writer.start()
    try:
        writer.submit(builder.take())
        writer.drain()
        ((batch, result),) = writer.results()
    finally:
        writer.close()
    assert result.committed and result.rows == 64
    assert "needed more than 128 MiB" in caplog.text
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute('SELECT count(*), min(length("__value")) FROM raw."PEOPLE"').fetchone() == (
        64,
        len(value),
    )


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("yyyy-MM-dd HH:mm:ss", "2026-01-02 03:04:05"),
        ("yyyy-MM-dd'T'HH:mm:ssXXX", "2026-01-02T04:04:05+01:00"),
    ],
)
def test_rowtime_from_a_string_column_with_timestamp_format(pattern, text):

    from streamduck.ksql.parser import parse_text
    from streamduck.ksql.sources import definition_from

    (statement,) = parse_text(
        "CREATE STREAM events (id STRING KEY, at STRING) WITH (kafka_topic='events', "
        f"value_format='JSON', timestamp='at', timestamp_format='{quote_string(pattern)[1:-1]}');"
    )
    events = definition_from(statement)
    con = duckdb.connect()
    ensure_source(con, events)
    builder = BatchBuilder(events, BatchLimits())
    value = f'{{"at": "{text}"}}'.encode()
    builder.add(0, [Record(0, 5, b"k", [], value, len(value))])
    commit_batch(con, builder.take(), guarantee=EXACTLY_ONCE, loader="t", max_value_bytes=1000)
    # ROWTIME is epoch milliseconds, read from the column (not the record's timestamp, 5 ms)
    assert con.execute("SELECT ROWTIME FROM events").fetchall() == [(1767323045000,)]


def test_each_guarantee_decides_positions_commit_order_and_read_ahead():
    from streamduck.errors import ConfigError
    from streamduck.load.guarantee import GUARANTEES, Positions, guarantee_named

    shape = {
        name: (g.positions, g.kafka_commit_first, g.read_ahead, g.compare_and_set, g.auto_offset_reset)
        for name, g in GUARANTEES.items()
    }
    assert shape == {
        "exactly-once": (Positions.WAREHOUSE, False, True, True, "none"),
        "at-least-once": (Positions.KAFKA, False, False, False, "earliest"),
        "at-most-once": (Positions.KAFKA, True, False, False, "earliest"),
    }
    assert guarantee_named("at-most-once") is GUARANTEES["at-most-once"]
    with pytest.raises(ConfigError, match="unknown guarantee 'twice'; choose one of exactly-once"):
        guarantee_named("twice")


def _batch(partition, offsets, expected):
    builder = BatchBuilder(PEOPLE, BatchLimits())
    builder.reset_position(partition, expected)
    builder.add(partition, records(offsets))
    return builder.take()


def test_a_writer_that_is_behind_commits_the_queued_batches_together(tmp_path):
    """Batches queued while the writer is busy land in one transaction, each with its own history row."""
    from streamduck.load import writer as writer_module

    writer = writer_module.WarehouseWriter(
        DuckDBFile(tmp_path / "w.duckdb"), [PEOPLE], writer_module.WriterOptions()
    )
    batches = [_batch(0, range(0, 10), None), _batch(0, range(10, 20), 10), _batch(1, range(0, 5), None)]
    for batch in batches:  # queued before the thread starts: it finds all three waiting
        writer.submit(batch)
    writer.start()
    try:
        writer.drain()
        results = writer.results()
    finally:
        writer.close()
    assert [r.rows for _, r in results] == [10, 10, 5] and all(r.committed for _, r in results)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    history = con.execute(
        "SELECT ranges, records, started_at FROM _streamduck.load_history ORDER BY batch_id"
    ).fetchall()
    assert [(ranges, n) for ranges, n, _ in history] == [
        ('{"0": [0, 9]}', 10),
        ('{"0": [10, 19]}', 10),
        ('{"1": [0, 4]}', 5),
    ]
    assert len({started for _, _, started in history}) == 1  # one transaction
    assert con.execute('SELECT count(*) FROM raw."PEOPLE"').fetchone() == (25,)


def test_a_stale_batch_in_a_group_leaves_the_batches_before_it_committed(tmp_path):
    from streamduck.load.commit import classify_ahead, commit_batches

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_source(con, PEOPLE)
    stale = _batch(1, range(5, 8), 5)  # believes offset 5 is stored for partition 1: nothing is
    batches = [_batch(0, range(0, 10), None), _batch(0, range(10, 20), 10), stale, _batch(2, range(3), None)]
    for batch in batches:  # only batches classified ahead are committed together
        classify_ahead(duckdb.connect(), batch, 1000)
    results = commit_batches(con, batches, guarantee=EXACTLY_ONCE, loader="t", max_value_bytes=1000)
    assert [(r.committed, r.rows) for r in results] == [(True, 10), (True, 10), (False, 0), (True, 3)]
    assert results[2].conflicts == {1: None}
    assert con.execute('SELECT "partition", next_offset FROM _streamduck.offsets ORDER BY 1').fetchall() == [
        (0, 20),
        (2, 3),
    ]
    assert con.execute('SELECT count(*) FROM raw."PEOPLE"').fetchone() == (23,)


def test_schema_drift_of_a_group_counts_every_batch_and_keeps_the_first_seen():
    """Batches committed together count drift as if committed one by one: the first batch's
    record is "first seen", though a later batch holds a lower offset (another partition)."""
    from streamduck.load.commit import classify_ahead, commit_batches

    con = duckdb.connect()
    ensure_source(con, PEOPLE)
    odd = b'{"name": "x", "age": 1, "extra": true}'
    builder = BatchBuilder(PEOPLE, BatchLimits())
    builder.add(0, [Record(500, 1, b"k", [], odd, len(odd))])
    first = builder.take()
    builder.add(1, [Record(3, 1, b"k", [], odd, len(odd)), Record(4, 1, b"k", [], odd, len(odd))])
    second = builder.take()
    for batch in (first, second):
        classify_ahead(duckdb.connect(), batch, 1000)
    commit_batches(con, [first, second], guarantee=EXACTLY_ONCE, loader="t", max_value_bytes=1000)
    assert con.execute(
        "SELECT field, kind, first_partition, first_offset, count FROM _streamduck.schema_drift"
    ).fetchall() == [("extra", "undeclared", 0, 500, 3)]
