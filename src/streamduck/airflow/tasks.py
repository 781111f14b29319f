"""The bodies of the DAGs' tasks: one library call each, with errors mapped to Airflow's semantics.

A :class:`~streamduck.errors.RetryableError` (broker down, warehouse locked) propagates, so Airflow
retries the task; a :class:`~streamduck.errors.FatalError` becomes ``AirflowFailException``, which
fails the task at once because retrying cannot help.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from streamduck.airflow.project import KAFKA_CONN_ID, project_settings
from streamduck.errors import ConfigError, FatalError
from streamduck.plain import to_plain
from streamduck.settings import Settings

__all__ = [
    "QUALITY_REPORT_URL",
    "QUALITY_REPORT_XCOM",
    "apply_views",
    "asset_event_extra",
    "check_streams",
    "generate_fake_data",
    "load_stream",
    "maintain_warehouse",
    "provision_topics",
    "task_errors",
    "task_settings",
]

log = logging.getLogger(__name__)

QUALITY_REPORT_URL = "/streamduck/quality"
"""Where the Airflow API server serves the check reports (the plugin in ``plugins/``)."""
QUALITY_REPORT_XCOM = "streamduck_quality_report"
"""The XCom holding the URL of a checks task's report page."""


@contextlib.contextmanager
def task_errors() -> Iterator[None]:
    """Fatal errors fail the task without retries; retryable ones propagate to Airflow's retries."""
    from airflow.sdk.exceptions import AirflowFailException

    try:
        yield
    except FatalError as exc:
        # from None: the message says it all; a chained traceback would print it a second time.
        raise AirflowFailException(str(exc)) from None


def task_settings(dags_file: str | Path, conn_id: str = KAFKA_CONN_ID) -> Settings:
    """Settings for a running task: brokers from the Airflow connection, paths from the project."""
    from airflow.sdk import BaseHook

    with task_errors():
        try:
            extra = BaseHook.get_connection(conn_id).extra_dejson
        except Exception as exc:  # Airflow raises its own "not defined" error type
            raise ConfigError(f"Airflow connection {conn_id!r} is not usable: {exc}") from exc
        broker = Settings.from_connection_extra(extra)
        return project_settings(dags_file, **broker.model_dump(exclude_unset=True))


def provision_topics(settings: Settings) -> dict[str, Any]:
    """Create every declared topic that is missing; report partition drift on existing ones."""
    from streamduck.provision import provision_topics as provision

    with task_errors():
        report = provision(settings)
    log.info("created topics: %s; partition drift: %s", report.created or "none", report.drift or "none")
    return to_plain(report)


def load_stream(settings: Settings, stream: str) -> dict[str, Any]:
    """Load one stream up to the end offsets seen at start (a bounded, re-runnable micro-batch)."""
    from streamduck.load import run_load

    with task_errors():
        # One task, and so one consumer group, per stream: tasks of streams that share a topic may run
        # side by side, and members of one group would split that topic's partitions between them.
        report = to_plain(
            run_load(settings, [stream], mode="until-caught-up", group=f"streamduck.{stream.lower()}")
        )
    loaded = next(
        (e for e in report.get("streams", []) if str(e.get("stream", "")).upper() == stream.upper()),
        {"stream": stream, "rows": 0, "dead_letters": 0, "ranges": {}},
    )
    log.info("loaded %s", asset_event_extra(loaded)["summary"])
    return loaded


def load_applied(settings: Settings, declared: list[str]) -> dict[str, Any]:
    """Load the sources the warehouse catalog holds that are not declared in ``sql/streams``.

    ``ksql apply FILE`` may register sources from any file; the per-stream tasks exist only for the
    declared ones (DAG files are parsed without the warehouse), so this task loads the others.
    """
    from streamduck.load import run_load
    from streamduck.load.sources import catalog_sources

    with task_errors():
        if not settings.backend.exists():
            return {"streams": []}
        known = {name.upper() for name in declared}
        others = [d.name for d in catalog_sources(settings.backend) if d.name.upper() not in known]
        if not others:
            log.info("no applied source outside sql/streams")
            return {"streams": []}
        report = to_plain(run_load(settings, others, mode="until-caught-up"))
    log.info("loaded applied sources %s", ", ".join(others))
    return report


def asset_event_extra(loaded: dict[str, Any]) -> dict[str, Any]:
    """The extra of a load's asset event: a one-line ``summary`` first (what the UI's event card
    shows when expanded), then the figures themselves: topic, rows, dead letters and, per partition,
    the first and last offset loaded."""
    ranges = loaded.get("ranges") or {}
    offsets = ", ".join(
        f"[{p}] {first}-{last}" for p, (first, last) in sorted(ranges.items(), key=lambda i: int(i[0]))
    )
    summary = (
        f"{loaded.get('rows', 0)} rows, {loaded.get('dead_letters', 0)} dead letters from "
        f"{loaded.get('topic') or loaded.get('stream')}"
        + (f" offsets {offsets}" if offsets else " (nothing new)")
    )
    extra: dict[str, Any] = {"summary": summary}
    extra.update({key: loaded.get(key) for key in ("stream", "topic", "rows", "dead_letters", "ranges")})
    return extra


def maintain_warehouse(settings: Settings, older_than_minutes: float = 60.0) -> dict[str, Any]:
    """Merge small files, expire old snapshots and delete unreferenced files; figures before and after."""
    import datetime as dt

    from streamduck.warehouse.maintain import maintain

    with task_errors():
        report = maintain(settings, dt.timedelta(minutes=older_than_minutes))
    log.info("maintained %s: %s", report.warehouse, "; ".join(report.steps))
    return report.to_dict()


def apply_views(settings: Settings) -> dict[str, Any]:
    """Apply every statement under ``sql/streams`` (idempotent: views are replaced)."""
    from streamduck.ksql.apply import apply_path

    with task_errors():
        return to_plain(apply_path(settings, settings.streams_dir))


def check_streams(settings: Settings, streams: list[str] | None = None) -> dict[str, Any]:
    """Run the GX checks; the summary is logged once, and a failure fails the task in one line.

    The run's offline HTML page is linked from the task (the ``Quality report`` extra link of the
    plugin in ``plugins/``, which reads the XCom :data:`QUALITY_REPORT_XCOM`).
    """
    from airflow.sdk import get_current_context
    from airflow.sdk.exceptions import AirflowFailException

    from streamduck.quality import run_checks
    from streamduck.quality.runner import quality_dir_for

    with task_errors():
        report = run_checks(settings, streams)
    if report.report_page is not None:
        page = report.report_page.relative_to(quality_dir_for(settings) / "report").as_posix()
        get_current_context()["ti"].xcom_push(key=QUALITY_REPORT_XCOM, value=f"{QUALITY_REPORT_URL}/{page}")
    if not report.success:
        log.error("quality checks failed\n%s", report.summary())
        # One line: the summary is in the log just above, not repeated inside chained tracebacks.
        raise AirflowFailException(f"{report.failed} expectation(s) failed (run {report.run_id}, see above)")
    log.info("quality checks passed\n%s", report.summary())
    return {
        "run_id": report.run_id,
        "passed": report.passed,
        "failed": report.failed,
        "report": str(report.report_page) if report.report_page else None,
        "data_docs": str(report.data_docs) if report.data_docs else None,
    }


def generate_fake_data(
    settings: Settings, stream: str, count: int, rate: float, bad_ratio: float, generator: str | None = None
) -> dict[str, Any]:
    """Produce fake records into the topic of ``stream`` with its generator (see ``generator_for``)."""
    from streamduck.produce import generate
    from streamduck.produce.registry import generator_for
    from streamduck.project import Project

    with task_errors():
        topic = Project(settings).stream(stream).topic
        name = generator or generator_for(settings.producers_dir, stream, topic)
        log.info("producing %d records with generator %r into topic %r", count, name, topic)
        report = generate(settings, name, topic=topic, count=count, rate=rate, bad_ratio=bad_ratio)
    return to_plain(report)
