"""
### Load Kafka topics into DuckDB

First `provision_topics` creates any declared topic that is missing (idempotent and cheap: one
topic listing), so a restart on a fresh broker needs no manual step. Then one task per source stream
declared in `sql/streams` (add a file there and a task appears), and `load_applied` for the sources
`ksql apply` registered from other files (the warehouse catalog is the source of truth). Each task reads its topic up to the end offsets seen when it starts, writes rows and offsets in one DuckDB
transaction (exactly once), and exits: a bounded micro-batch, so re-running a run loads only what
is new. Each task updates the stream's Asset `duckdb://<warehouse>/raw.<stream>`; the event's extra
starts with a one-line `summary` ("300 rows, 2 dead letters from fake_people offsets [0] 0-99, ...")
and carries the loaded offset ranges per partition, the row count and the dead-letter count (see the
run's *Asset Events*, and the same line in the task log). The
`streamduck_views` and `streamduck_checks` DAGs are scheduled on those Assets.

On a DuckDB file all tasks share the one-slot pool `streamduck_warehouse` (DuckDB allows one writer
process); on a DuckLake they run side by side, with continuous loaders too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import dag, get_current_context, task

from streamduck.airflow import dag_project, raw_asset, writer_pool
from streamduck.airflow import tasks as streamduck_tasks

PROJECT = dag_project(__file__)
SETTINGS = PROJECT.settings


def load_task(stream: str, asset):
    """The load task of one stream, updating its Asset with offsets and counts."""

    @task(
        multiple_outputs=False, task_id=f"load_{stream.lower()}", outlets=[asset], pool=writer_pool(SETTINGS)
    )
    def load() -> dict:
        loaded = streamduck_tasks.load_stream(streamduck_tasks.task_settings(__file__), stream)
        get_current_context()["outlet_events"][asset].extra = streamduck_tasks.asset_event_extra(loaded)
        return loaded

    return load()


@dag(
    schedule=timedelta(minutes=5),
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    tags=["streamduck", "load"],
    default_args={"retries": 3, "retry_delay": timedelta(seconds=15)},
    doc_md=__doc__,
)
def streamduck_load():
    @task(multiple_outputs=False)
    def provision_topics() -> dict:
        return streamduck_tasks.provision_topics(streamduck_tasks.task_settings(__file__))

    @task(multiple_outputs=False, pool=writer_pool(SETTINGS))
    def load_applied() -> dict:
        declared = [d.name for d in PROJECT.declared_streams]
        return streamduck_tasks.load_applied(streamduck_tasks.task_settings(__file__), declared)

    provisioned = provision_topics()
    for definition in PROJECT.declared_streams:
        provisioned >> load_task(definition.name, raw_asset(definition, SETTINGS))
    provisioned >> load_applied()


dag_object = streamduck_load()

if __name__ == "__main__":
    dag_object.test()
