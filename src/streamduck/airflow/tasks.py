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
    "apply_views",
    "check_streams",
    "generate_fake_data",
    "load_stream",
    "provision_topics",
    "task_errors",
    "task_settings",
]

log = logging.getLogger(__name__)


@contextlib.contextmanager
def task_errors() -> Iterator[None]:
    """Fatal errors fail the task without retries; retryable ones propagate to Airflow's retries."""
    from airflow.sdk.exceptions import AirflowFailException

    try:
        yield
    except FatalError as exc:
        raise AirflowFailException(str(exc)) from exc


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
    for entry in report.get("streams", []):
        if str(entry.get("stream", "")).upper() == stream.upper():
            return entry
    return {"stream": stream, "rows": 0, "dead_letters": 0, "ranges": {}}


def apply_views(settings: Settings) -> dict[str, Any]:
    """Apply every statement under ``sql/streams`` (idempotent: views are replaced)."""
    from streamduck.ksql.apply import apply_path

    with task_errors():
        return to_plain(apply_path(settings, settings.streams_dir))


def check_streams(settings: Settings, streams: list[str] | None = None) -> dict[str, Any]:
    """Run the GX checks; fail the task with the readable summary when an expectation fails."""
    from streamduck.quality import run_checks

    with task_errors():
        report = run_checks(settings, streams)
        log.info("quality checks\n%s", report.summary())
        report.raise_for_failures()
    return {
        "run_id": report.run_id,
        "passed": report.passed,
        "failed": report.failed,
        "data_docs": str(report.data_docs) if report.data_docs else None,
    }


def generate_fake_data(
    settings: Settings, stream: str, count: int, rate: float, bad_ratio: float
) -> dict[str, Any]:
    """Produce fake people into the topic of ``stream``."""
    from streamduck.produce import generate
    from streamduck.project import Project

    with task_errors():
        topic = Project(settings).stream(stream).topic
        report = generate(settings, "people", topic=topic, count=count, rate=rate, bad_ratio=bad_ratio)
    return to_plain(report)
