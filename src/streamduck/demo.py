"""``streamduck demo``: the whole pipeline on embedded defaults, no Docker.

Starts the embedded broker, applies ``sql/streams``, produces fake people (with a small share of bad
records), loads until caught up, runs the quality checks, and returns what a new user wants to see.
The broker is memory-only, so the demo uses its own warehouse file, recreated on every run: a re-run
never mixes offsets of a previous broker with the new one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamduck.project import Project
from streamduck.settings import Settings

__all__ = ["DEMO_WAREHOUSE", "DemoReport", "run_demo"]


DEMO_WAREHOUSE = Path("data/demo.duckdb")
_SAMPLE_COLUMNS = ("ID", "NAME", "EMAIL", "BIRTHDATE")


@dataclass
class DemoReport:
    """What the demo did, for the summary."""

    bootstrap_servers: str = ""
    warehouse: Path = DEMO_WAREHOUSE
    topics: list[str] = field(default_factory=list)
    produced: int = 0
    bad_produced: int = 0
    streams: list[dict[str, Any]] = field(default_factory=list)
    load_seconds: float = 0.0
    checks_passed: int = 0
    checks_failed: int = 0
    check_summary: str = ""
    data_docs: Path | None = None
    sample_query: str = ""
    sample_columns: list[str] = field(default_factory=list)
    sample_rows: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(int(s.get("rows") or 0) for s in self.streams)

    @property
    def dead_letters(self) -> int:
        return sum(int(s.get("dead_letters") or 0) for s in self.streams)

    @property
    def load_rate(self) -> float:
        """Records (rows and dead letters) loaded per second."""
        return (self.rows + self.dead_letters) / self.load_seconds if self.load_seconds else 0.0


def _fresh_warehouse(path: Path) -> None:
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)


def run_demo(
    sql_dir: Path = Path("sql"),
    warehouse: Path = DEMO_WAREHOUSE,
    *,
    stream: str = "fake_people",
    count: int = 2000,
    bad_ratio: float = 0.02,
    seed: int | None = 42,
    progress: bool = False,
) -> DemoReport:
    """Run broker → apply → generate → load → checks → sample query; stop the broker afterwards."""
    from streamduck.broker import EmbeddedBroker

    _fresh_warehouse(warehouse)
    with EmbeddedBroker() as broker:
        project = Project(
            Settings(bootstrap_servers=broker.bootstrap_servers, warehouse=str(warehouse), sql_dir=sql_dir)
        )
        settings, people = project.settings, project.stream(stream)
        report = DemoReport(bootstrap_servers=broker.bootstrap_servers, warehouse=warehouse)
        _provision_and_apply(settings, report)
        _produce(settings, report, people, count, bad_ratio, seed, progress)
        _load(settings, report)
        _check(settings, report)
        _sample(settings, report, people)
    return report


def _provision_and_apply(settings: Settings, report: DemoReport) -> None:
    from streamduck.ksql.apply import apply_path
    from streamduck.provision import provision_topics

    report.topics = provision_topics(settings).created
    apply_path(settings, settings.streams_dir)


def _produce(
    settings: Settings,
    report: DemoReport,
    definition: Any,
    count: int,
    bad_ratio: float,
    seed: int | None,
    progress: bool,
) -> None:
    from streamduck.produce import generate

    produced = generate(
        settings,
        "people",
        topic=definition.topic,
        count=count,
        seed=seed,
        bad_ratio=bad_ratio,
        progress=progress,
    )
    report.produced = int(getattr(produced, "acknowledged", count))
    report.bad_produced = sum((getattr(produced, "bad", None) or {}).values())


def _load(settings: Settings, report: DemoReport) -> None:
    from streamduck.load import run_load
    from streamduck.plain import to_plain

    started = time.perf_counter()
    # One run loads every stream: streams that share a topic are fed from one consumer.
    loaded = to_plain(run_load(settings, mode="until-caught-up"))
    report.streams.extend(loaded.get("streams", []))
    report.load_seconds = time.perf_counter() - started


def _check(settings: Settings, report: DemoReport) -> None:
    from streamduck.quality import run_checks

    checked = run_checks(settings)
    report.checks_passed, report.checks_failed = checked.passed, checked.failed
    report.check_summary, report.data_docs = checked.summary(), checked.data_docs


def _sample(settings: Settings, report: DemoReport, definition: Any) -> None:
    # A few columns keep the sample readable in a terminal.
    chosen = [c.name for c in definition.columns if c.name in _SAMPLE_COLUMNS]
    columns = ", ".join(n.lower() for n in chosen) if chosen else "*"
    report.sample_query = f"SELECT {columns} FROM {definition.name.lower()} LIMIT 5"
    con = settings.backend.connect(read_only=True)
    try:
        relation = con.sql(report.sample_query)
        report.sample_columns = list(relation.columns)
        report.sample_rows = relation.fetchall()
    finally:
        con.close()
