"""Great Expectations checks over a large view: time and peak memory, batch sizes compared.

    uv run python benchmarks/bench_quality.py [ROWS]

Builds a warehouse with the loader's layout for a fake_people-like stream (ROWS rows, default 1M,
0.001% bad emails), then runs the same checks `streamduck check` runs (defaults from the declared
columns plus the project's expectations file) with several batch sizes, and prints seconds, rows per
second and the process's peak RSS growth. The whole view in one pandas DataFrame is shown for
comparison of memory.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb  # noqa: TID253  (a script, not the package)

from streamduck.ksql.model import Column, SourceDefinition
from streamduck.quality import run_checks
from streamduck.quality.spec import checks_for
from streamduck.settings import Settings
from streamduck.warehouse.layout import ensure_source

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = SourceDefinition(
    name="FAKE_PEOPLE",
    kind="STREAM",
    topic="fake_people",
    columns=(Column("ID", "STRING", "key"), Column("EMAIL", "STRING"), Column("BIRTHDATE", "DATE")),
    path=Path("fake_people.sql"),
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(folder: Path, rows: int) -> Settings:
    settings = Settings(warehouse=folder / "w.duckdb", sql_dir=folder / "sql")
    settings.streams_dir.mkdir(parents=True)
    expectations = ROOT / "sql" / "streams" / "fake_people.expectations.yml"
    (settings.streams_dir / expectations.name).write_text(expectations.read_text())
    con = duckdb.connect(str(settings.warehouse))
    ensure_source(con, PEOPLE)
    con.execute(
        'INSERT INTO raw."FAKE_PEOPLE" (topic, "partition", "offset", timestamp_ms, "key", headers, "value") '
        "SELECT 'fake_people', 0, i, 0, ('id' || i)::BLOB, [], json_object('email', CASE WHEN i % 100000 = 7 "
        "THEN 'broken' ELSE 'p' || i || '@example.com' END, 'birthdate', "
        f"(DATE '1950-01-01' + (i % 20000)::INT)::VARCHAR)::VARCHAR FROM range({rows}) AS r(i)"
    )
    con.close()
    return settings


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        settings = build(Path(folder), rows)
        checks = checks_for([PEOPLE], settings.streams_dir)
        run_checks(settings, checks=checks, data_docs=False, batch_rows=10_000)  # warm-up: GX import
        print(f"{rows:,} rows, {len(checks[0].expectations)} expectations")
        print(f"{'batch rows':>12} {'seconds':>8} {'rows/s':>12} {'peak RSS MB':>12}")
        for batch_rows in (50_000, 250_000, 1_000_000):
            started = time.perf_counter()
            report = run_checks(settings, checks=checks, data_docs=False, batch_rows=batch_rows)
            elapsed = time.perf_counter() - started
            assert report.streams[0].rows == rows
            print(f"{batch_rows:>12,} {elapsed:>8.2f} {rows / elapsed:>12,.0f} {_peak_mb():>12.0f}")
        print("(peak RSS only grows: each line is the maximum so far; the default batch is 250,000 rows)")


if __name__ == "__main__":
    main()
